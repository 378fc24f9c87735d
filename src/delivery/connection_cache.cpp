#include "connection_cache.hpp"

namespace mailpush::delivery {

void ConnectionCache::expire(std::chrono::steady_clock::time_point now) {
    for (auto it = idle_.begin(); it != idle_.end();) {
        std::erase_if(it->second, [&](const std::shared_ptr<OpenConnection>& c) {
            if (now - c->idle_since < idle_limit_) return false;
            boost::system::error_code ec;
            c->stream.socket().close(ec); // the server sees the connection end; no QUIT needed
            return true;
        });
        it = it->second.empty() ? idle_.erase(it) : std::next(it);
    }
}

std::shared_ptr<OpenConnection> ConnectionCache::take(const std::string& key) {
    std::lock_guard lock(mutex_);
    expire(std::chrono::steady_clock::now());
    auto it = idle_.find(key);
    if (it == idle_.end() || it->second.empty()) return nullptr;
    auto c = std::move(it->second.back());
    it->second.pop_back();
    return c;
}

void ConnectionCache::put(const std::string& key, std::shared_ptr<OpenConnection> c,
                          unsigned max_transactions) {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    expire(now);
    auto& list = idle_[key];
    if (!c->session.ready() ||
        c->transactions >= (max_transactions > 0 ? max_transactions : max_transactions_) ||
        list.size() >= per_destination_) {
        boost::system::error_code ec;
        c->stream.socket().close(ec);
        return;
    }
    c->idle_since = now;
    list.push_back(std::move(c));
}

void ConnectionCache::clear() {
    std::lock_guard lock(mutex_);
    for (auto& [key, list] : idle_)
        for (auto& c : list) {
            boost::system::error_code ec;
            c->stream.socket().close(ec);
        }
    idle_.clear();
}

} // namespace mailpush::delivery
