#include "mailpush/api/failure_limiter.hpp"

#include <algorithm>

namespace mailpush::api {

FailureLimiter::FailureLimiter(unsigned limit, Clock::duration window, std::size_t max_clients)
    : limit_(limit)
    , window_(window)
    , max_clients_(std::max<std::size_t>(max_clients, 1)) {}

void FailureLimiter::expire(std::deque<Clock::time_point>& failures, Clock::time_point now) const {
    while (!failures.empty() && failures.front() + window_ <= now)
        failures.pop_front();
}

bool FailureLimiter::blocked(const std::string& client, Clock::time_point now) {
    const auto it = failures_.find(client);
    if (it == failures_.end()) return false;
    expire(it->second, now);
    if (it->second.empty()) {
        failures_.erase(it);
        return false;
    }
    return it->second.size() >= limit_;
}

void FailureLimiter::record_failure(const std::string& client, Clock::time_point now) {
    auto it = failures_.find(client);
    if (it == failures_.end()) {
        if (failures_.size() >= max_clients_) forget_oldest_client();
        it = failures_.emplace(client, std::deque<Clock::time_point>{}).first;
    }
    expire(it->second, now);
    it->second.push_back(now);
    while (it->second.size() > limit_) // only the newest `limit` failures matter
        it->second.pop_front();
}

void FailureLimiter::forget_oldest_client() {
    auto oldest = failures_.begin();
    for (auto it = failures_.begin(); it != failures_.end(); ++it)
        if (it->second.empty() || (!oldest->second.empty() && it->second.back() < oldest->second.back()))
            oldest = it;
    if (oldest != failures_.end()) failures_.erase(oldest);
}

} // namespace mailpush::api
