// Tracking tokens: varints + a truncated HMAC-SHA256, URL-safe base64. Untrusted input in
// read_token: every byte is checked, and the MAC comparison does not stop at the first mismatch.
#include "mailpush/tracking/token.hpp"

#include "mailpush/common/base64.hpp"
#include "mailpush/common/digest.hpp"

namespace mailpush::tracking {
namespace {

constexpr std::size_t kMacBytes = 16;
// Separates these MACs from any other use of the same secret.
constexpr std::string_view kMacContext = "mailpush-track-v1:";

void put_varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

// Shortest form only, so each claim has exactly one token per key.
std::optional<std::uint64_t> get_varint(std::string_view& in, std::uint64_t max) {
    std::uint64_t v = 0;
    for (unsigned shift = 0, i = 0; i < in.size() && shift < 64; ++i, shift += 7) {
        const auto byte = static_cast<std::uint8_t>(in[i]);
        const std::uint64_t bits = byte & 0x7fu;
        if (shift == 63 && bits > 1) return std::nullopt;
        v |= bits << shift;
        if (!(byte & 0x80u)) {
            if (byte == 0 && i > 0) return std::nullopt; // overlong
            if (v > max) return std::nullopt;
            in.remove_prefix(i + 1);
            return v;
        }
    }
    return std::nullopt;
}

std::string mac(const TrackingKey& key, std::string_view payload) {
    std::string data(kMacContext);
    data.append(payload);
    return common::hmac_sha256(key.secret, data).substr(0, kMacBytes);
}

bool equal_constant_time(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned>(static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]));
    return diff == 0;
}

} // namespace

std::string make_token(const TrackingKey& key, const TokenClaim& claim) {
    std::string payload;
    put_varint(payload, key.id);
    put_varint(payload, claim.envid);
    put_varint(payload, claim.rcpt_idx);
    put_varint(payload, claim.link);
    payload += mac(key, payload);
    return common::base64_to_url(common::base64_encode(payload));
}

std::optional<TokenClaim> read_token(const std::vector<TrackingKey>& keys, std::string_view token) {
    if (token.empty() || token.size() > kMaxTokenLength) return std::nullopt;
    const auto padded = common::base64_from_url(token);
    const auto raw = padded ? common::base64_decode(*padded) : std::nullopt;
    if (!raw || raw->size() <= kMacBytes) return std::nullopt;
    // One spelling per token: unused low bits of the last character must be zero.
    if (common::base64_to_url(common::base64_encode(*raw)) != token) return std::nullopt;
    const std::string_view all(*raw);
    std::string_view in = all.substr(0, all.size() - kMacBytes);
    const auto key_id = get_varint(in, UINT32_MAX);
    const auto envid = get_varint(in, UINT64_MAX);
    const auto rcpt = get_varint(in, UINT32_MAX);
    const auto link = get_varint(in, UINT32_MAX);
    if (!key_id || !envid || !rcpt || !link || !in.empty()) return std::nullopt;
    const TrackingKey* key = nullptr;
    for (const auto& k : keys)
        if (k.id == *key_id) key = &k;
    if (!key) return std::nullopt;
    const auto payload = all.substr(0, all.size() - kMacBytes);
    if (!equal_constant_time(mac(*key, payload), all.substr(payload.size()))) return std::nullopt;
    return TokenClaim{*envid, static_cast<std::uint32_t>(*rcpt), static_cast<std::uint32_t>(*link)};
}

} // namespace mailpush::tracking
