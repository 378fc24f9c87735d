#include "mailpush/openapi/nonce_cache.hpp"

namespace mailpush::openapi {

void NonceCache::expire(std::int64_t now_s) {
    // A nonce older than the window can be forgotten: its request's timestamp is expired too.
    while (!by_time_.empty() && by_time_.front().at < now_s - window_) {
        const Entry& oldest = by_time_.front();
        seen_.erase(oldest.scoped);
        const auto count = per_key_.find(oldest.key_id);
        if (count != per_key_.end() && --count->second == 0) per_key_.erase(count);
        by_time_.pop_front();
    }
}

NonceVerdict NonceCache::use(const std::string& key_id, const std::string& nonce, std::int64_t now_s) {
    std::lock_guard lock(mutex_);
    expire(now_s);
    std::string scoped = key_id + '\n' + nonce;
    if (seen_.count(scoped)) return NonceVerdict::replayed;
    auto& count = per_key_[key_id];
    if (count >= max_per_key_) return NonceVerdict::full;
    ++count;
    seen_.insert(scoped);
    by_time_.push_back({now_s, key_id, std::move(scoped)});
    return NonceVerdict::fresh;
}

std::size_t NonceCache::held(const std::string& key_id) {
    std::lock_guard lock(mutex_);
    const auto it = per_key_.find(key_id);
    return it == per_key_.end() ? 0 : it->second;
}

} // namespace mailpush::openapi
