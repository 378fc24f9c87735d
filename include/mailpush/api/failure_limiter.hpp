// Failed admin logins per client: after `limit` failures within `window` a client is refused
// until its oldest counted failure leaves the window. Pure (the clock is a parameter) and not
// thread-safe: the caller holds the lock. Bounded: at most `max_clients` clients are remembered
// (the one whose last failure is oldest is forgotten first).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <string>

namespace mailpush::api {

class FailureLimiter {
public:
    using Clock = std::chrono::steady_clock;

    FailureLimiter(unsigned limit, Clock::duration window, std::size_t max_clients = 10'000);

    // True while `client` has used up its failures: refuse without checking anything.
    bool blocked(const std::string& client, Clock::time_point now);
    void record_failure(const std::string& client, Clock::time_point now);

private:
    void expire(std::deque<Clock::time_point>& failures, Clock::time_point now) const;
    void forget_oldest_client();

    unsigned limit_;
    Clock::duration window_;
    std::size_t max_clients_;
    std::map<std::string, std::deque<Clock::time_point>> failures_;
};

} // namespace mailpush::api
