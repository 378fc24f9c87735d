#include "mailpush/auth/throttle.hpp"

namespace mailpush::auth {

AuthThrottle::AuthThrottle(unsigned max_failures, std::chrono::milliseconds window)
    : max_failures_(max_failures)
    , window_(window) {}

void AuthThrottle::expire(std::deque<Clock::time_point>& q, Clock::time_point now) const {
    while (!q.empty() && now - q.front() >= window_)
        q.pop_front();
}

bool AuthThrottle::blocked(const std::string& ip, Clock::time_point now) {
    const auto it = failures_.find(ip);
    if (it == failures_.end()) return false;
    expire(it->second, now);
    if (it->second.empty()) {
        failures_.erase(it);
        return false;
    }
    return it->second.size() >= max_failures_;
}

void AuthThrottle::record_failure(const std::string& ip, Clock::time_point now) {
    if (now - last_sweep_ >= window_) { // occasional sweep keeps memory bounded
        for (auto it = failures_.begin(); it != failures_.end();) {
            expire(it->second, now);
            it = it->second.empty() ? failures_.erase(it) : std::next(it);
        }
        last_sweep_ = now;
    }
    auto& q = failures_[ip];
    q.push_back(now);
    while (q.size() > max_failures_)
        q.pop_front();
}

} // namespace mailpush::auth
