// Signed tracking tokens: which message, recipient and link an open pixel or a redirect stands
// for. Pure; read_token handles untrusted input (a path segment of a public URL).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::tracking {

struct TrackingKey {
    std::uint32_t id = 0;
    std::string secret; // 32 raw random bytes
};

struct TokenClaim {
    std::uint64_t envid = 0;
    std::uint32_t rcpt_idx = 0;
    std::uint32_t link = 0; // 0 = the open pixel, n = link n of the message
    bool operator==(const TokenClaim&) const = default;
};

// The longest token read_token accepts; make_token's are about 40 characters.
inline constexpr std::size_t kMaxTokenLength = 256;

// URL-safe base64 without padding: the key id, envid, recipient index and link as varints,
// then the first 16 bytes of HMAC-SHA256 over them with the key's secret.
std::string make_token(const TrackingKey& key, const TokenClaim& claim);

// The claim of a token made with one of `keys` (old keys stay readable after a rotation).
// nullopt for malformed base64, a varint that is not in its shortest form or overflows, an
// unknown key id, a bad MAC (compared in constant time), trailing bytes, or more than
// kMaxTokenLength characters.
std::optional<TokenClaim> read_token(const std::vector<TrackingKey>& keys, std::string_view token);

} // namespace mailpush::tracking
