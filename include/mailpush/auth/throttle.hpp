// Per-client-IP AUTH failure counting in a sliding window (SPEC §3). Pure: the caller passes
// the time. Bounded memory: old entries are dropped as the window moves.
#pragma once

#include <chrono>
#include <deque>
#include <string>
#include <unordered_map>

namespace mailpush::auth {

class AuthThrottle {
public:
    using Clock = std::chrono::steady_clock;
    AuthThrottle(unsigned max_failures, std::chrono::milliseconds window);

    bool blocked(const std::string& ip, Clock::time_point now);
    void record_failure(const std::string& ip, Clock::time_point now);

private:
    void expire(std::deque<Clock::time_point>& q, Clock::time_point now) const;
    unsigned max_failures_;
    std::chrono::milliseconds window_;
    std::unordered_map<std::string, std::deque<Clock::time_point>> failures_;
    Clock::time_point last_sweep_{};
};

} // namespace mailpush::auth
