// Who may have a password checked, decided before the check (docs/smtp.md "AUTH limits").
// Pure: the caller passes the time and serialises calls. Three rules:
//  - per client IP, failures in a sliding window plus the checks in flight count against one
//    budget (a check is a reservation: a success gives it back), so parallel attempts cannot
//    overrun it;
//  - per client IP, at most `concurrent_per_ip` checks at once;
//  - per address (from any IP), after `failures_per_address` failures in the window only one
//    check at a time, and each further failure closes the address for a growing pause
//    (1 s, 2 s, 4 s … at most `address_max_pause`). Never a permanent lockout. A success
//    forgets only the failures that came from the succeeding IP (the owner's own typos): the
//    guesses from elsewhere keep counting, so a login of the owner gives a guesser nothing.
// Memory is bounded: expired entries are swept, and at most `max_tracked` IPs and addresses
// are followed (beyond that new ones are checked untracked rather than refused).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>

namespace mailpush::auth {

struct AuthGateOptions {
    unsigned failures_per_ip = 20;
    std::chrono::milliseconds ip_window{600'000};
    unsigned concurrent_per_ip = 4;
    unsigned failures_per_address = 10;
    std::chrono::milliseconds address_window{900'000};
    std::chrono::milliseconds address_max_pause{60'000};
    std::size_t max_tracked = 100'000;
};

enum class Admission {
    check,          // go ahead; call finish() with the result
    ip_throttled,   // the IP's failure budget is spent
    ip_busy,        // the IP has `concurrent_per_ip` checks in flight
    address_paused, // the address is pausing after repeated failures
};

const char* to_string(Admission a) noexcept;

class AuthGate {
public:
    using Clock = std::chrono::steady_clock;
    explicit AuthGate(AuthGateOptions options);

    Admission admit(const std::string& ip, const std::string& address, Clock::time_point now);
    // For a caller that runs no check of its own but waits for one in flight of the same
    // address and password (net's single flight): refused like admit() by the failure budgets,
    // never for concurrency (it takes no slot; nothing to finish()).
    Admission admit_waiter(const std::string& ip, const std::string& address, Clock::time_point now);
    // Ends a check that admit() allowed.
    void finish(const std::string& ip, const std::string& address, bool success, Clock::time_point now);
    // A waiter admitted by admit_waiter() learnt that the shared check failed: the same guess,
    // sent again, so it costs the IP a failure as a check of its own would (no pause of the
    // address: that guess was counted there once). False when the IP's budget was already spent
    // (failures and checks in flight): the waiter is refused like admit()'s ip_throttled.
    bool count_shared_failure(const std::string& ip, Clock::time_point now);

    std::size_t tracked_ips() const noexcept { return ips_.size(); }
    std::size_t tracked_addresses() const noexcept { return addresses_.size(); }

private:
    struct Failure {
        Clock::time_point at;
        std::size_t ip = 0; // a hash of the client IP (in an address's window)
    };
    struct Window {
        std::deque<Failure> failures; // oldest first, at most the limit (+32 for pauses) kept
        unsigned in_flight = 0;
        Clock::time_point paused_until{};
    };
    using Map = std::unordered_map<std::string, Window>;

    void sweep(Clock::time_point now);
    Window* entry(Map& map, const std::string& key, Clock::time_point now);
    static void expire(Window& w, std::chrono::milliseconds window, Clock::time_point now);
    void set_pause(Window& by_address, Clock::time_point now) const;

    AuthGateOptions options_;
    Map ips_;
    Map addresses_;
    Clock::time_point last_sweep_{};
};

} // namespace mailpush::auth
