// Automatic slow-down per destination: a rate-limit reply (SmtpMfFreq: "421 HL:ICC",
// "451 MI:SFQ", "550 ... frequency limited") raises the destination's level, which pauses it
// (pause × 2^(level-1), capped) and cuts it to one connection and base / 2^level attempt starts
// per second; after `recovery` without a rate-limit reply and with a delivery, the level steps
// down by one, until the rule's own limits apply again. Pure: `now` is a parameter.
#pragma once

#include "mailpush/delivery/destination_limits.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace mailpush::delivery {

struct SlowdownPolicy {
    std::chrono::milliseconds pause{60'000};
    std::chrono::milliseconds max_pause{3'600'000};
    std::chrono::milliseconds recovery{300'000};
    double base_rate = 2.0; // per second, for a destination whose rule sets none
    static constexpr int kMaxLevel = 10;
};

enum class ThrottleChange { none, slowed, stepped_up, recovered };

class Throttle {
public:
    explicit Throttle(SlowdownPolicy policy)
        : policy_(policy) {}

    // A rate-limit reply to an attempt started at `started_ms`. Replies to attempts started
    // before the last slow-down were already answered by it: they change nothing.
    ThrottleChange on_rate_limited(const std::string& key, std::int64_t started_ms, std::int64_t now);
    // A delivery (2xx) on `key`: after a quiet `recovery`, one level back.
    ThrottleChange on_delivered(const std::string& key, std::int64_t now);

    int level(const std::string& key) const;
    std::int64_t paused_until(const std::string& key) const; // 0 when not paused
    // The limits in force: `normal` at level 0, else slowed as described above.
    DestinationLimits apply(const std::string& key, DestinationLimits normal) const;

private:
    struct State {
        int level = 0;
        std::int64_t paused_until = 0;
        std::int64_t changed_at = 0; // last slow-down or step back
    };
    SlowdownPolicy policy_;
    std::map<std::string, State, std::less<>> states_; // only destinations with level > 0
};

} // namespace mailpush::delivery
