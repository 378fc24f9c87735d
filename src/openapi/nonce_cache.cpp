#include "mailpush/openapi/nonce_cache.hpp"

namespace mailpush::openapi {

NonceVerdict NonceCache::use(const std::string& nonce, std::int64_t now_s) {
    std::lock_guard lock(mutex_);
    // A nonce older than the window can be forgotten: its request's timestamp is expired too.
    while (!by_time_.empty() && by_time_.front().first < now_s - window_) {
        seen_.erase(by_time_.front().second);
        by_time_.pop_front();
    }
    if (seen_.count(nonce)) return NonceVerdict::replayed;
    if (seen_.size() >= max_) return NonceVerdict::full;
    seen_.insert(nonce);
    by_time_.emplace_back(now_s, nonce);
    return NonceVerdict::fresh;
}

} // namespace mailpush::openapi
