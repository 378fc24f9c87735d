#include "mailpush/engine/signature_cache.hpp"

namespace mailpush::delivery {

SignatureCache::SignatureCache(std::size_t capacity, std::int64_t max_age_s)
    : capacity_(capacity == 0 ? 1 : capacity)
    , max_age_s_(max_age_s) {}

std::string SignatureCache::get_or_make(const std::string& key, std::int64_t now_s,
                                        const std::function<std::string()>& make) {
    {
        std::lock_guard lock(mutex_);
        if (const auto it = index_.find(key); it != index_.end()) {
            if (now_s - it->second->made_s < max_age_s_) {
                lru_.splice(lru_.begin(), lru_, it->second);
                ++counts_.reused;
                return it->second->signatures;
            }
            lru_.erase(it->second);
            index_.erase(it);
        }
    }
    // Signing runs outside the lock: two jobs racing for one key both sign, the second's entry wins.
    auto signatures = make();
    std::lock_guard lock(mutex_);
    ++counts_.made;
    if (signatures.empty()) return signatures;
    if (const auto it = index_.find(key); it != index_.end()) {
        lru_.erase(it->second);
        index_.erase(it);
    }
    lru_.push_front({key, signatures, now_s});
    index_.emplace(key, lru_.begin());
    while (lru_.size() > capacity_) {
        index_.erase(lru_.back().key);
        lru_.pop_back();
    }
    return signatures;
}

SignatureCache::Counts SignatureCache::counts() const {
    std::lock_guard lock(mutex_);
    return counts_;
}

std::size_t SignatureCache::size() const {
    std::lock_guard lock(mutex_);
    return lru_.size();
}

} // namespace mailpush::delivery
