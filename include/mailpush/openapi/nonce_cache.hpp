// Replay protection: a signature nonce may be used once within the timestamp window. Thread-safe;
// bounded (when full, new requests are refused rather than old nonces forgotten early).
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_set>

namespace mailpush::openapi {

enum class NonceVerdict { fresh, replayed, full };

class NonceCache {
public:
    NonceCache(std::int64_t window_seconds, std::size_t max_entries)
        : window_(window_seconds)
        , max_(max_entries) {}

    // Records `nonce` (already scoped by the caller, e.g. key id + nonce) at `now_s`. The window
    // must be twice the accepted clock skew: a request stamped skew seconds ahead stays valid
    // for 2 x skew.
    NonceVerdict use(const std::string& nonce, std::int64_t now_s);

private:
    std::int64_t window_;
    std::size_t max_;
    std::mutex mutex_;
    std::unordered_set<std::string> seen_;
    std::deque<std::pair<std::int64_t, std::string>> by_time_;
};

} // namespace mailpush::openapi
