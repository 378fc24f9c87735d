// The HMAC keys that sign tracking tokens (docs/tracking.md), as the store keeps them, and which
// of them still count. Pure: the store's SQL is src/store/store_tracking.cpp.
//
// One key is created when the store is first opened; a rotation retires the current key and
// makes a new one. The newest key signs; every key still held verifies, so links mailed before a
// rotation keep working until the retired key is older than the retention ([tracking]
// key_retention), counted from its retirement.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace mailpush::store {

struct TrackingKeyRecord {
    std::uint32_t id = 0;
    std::string secret; // 32 random bytes; empty where listed for people (never shown)
    std::int64_t created_s = 0;
    std::int64_t retired_s = 0; // 0: the signing key
};

// The keys that still verify at `now_s`, newest (highest id) first: the retired ones whose
// retirement is less than `retention` ago, and every unretired one.
std::vector<TrackingKeyRecord> live_tracking_keys(std::vector<TrackingKeyRecord> keys, std::int64_t now_s,
                                                  std::chrono::seconds retention);

// Whether the key is past its retention at `now_s` (and can be deleted).
bool tracking_key_expired(const TrackingKeyRecord& key, std::int64_t now_s, std::chrono::seconds retention);

} // namespace mailpush::store
