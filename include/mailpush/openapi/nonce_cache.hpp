// Replay protection: a signature nonce may be used once per access key within the timestamp
// window. Thread-safe; bounded per access key, so one key cannot fill the cache and lock the
// other keys out. At its bound a key's new requests are refused (`full`) rather than its old
// nonces forgotten early: forgetting one would accept a possible replay.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace mailpush::openapi {

enum class NonceVerdict { fresh, replayed, full };

class NonceCache {
public:
    NonceCache(std::int64_t window_seconds, std::size_t max_per_key)
        : window_(window_seconds)
        , max_per_key_(max_per_key) {}

    // Records `nonce` of `key_id` at `now_s`. The window must be twice the accepted clock skew:
    // a request stamped skew seconds ahead stays valid for 2 x skew.
    NonceVerdict use(const std::string& key_id, const std::string& nonce, std::int64_t now_s);

    // Nonces held for `key_id` (tests, metrics).
    std::size_t held(const std::string& key_id);

private:
    void expire(std::int64_t now_s);

    struct Entry {
        std::int64_t at;
        std::string key_id;
        std::string scoped; // key id + '\n' + nonce
    };
    std::int64_t window_;
    std::size_t max_per_key_;
    std::mutex mutex_;
    std::unordered_set<std::string> seen_;                 // scoped nonces
    std::unordered_map<std::string, std::size_t> per_key_; // key id -> nonces held
    std::deque<Entry> by_time_;                            // oldest first, every key
};

} // namespace mailpush::openapi
