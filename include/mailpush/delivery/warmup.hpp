// Warm-up of a new sending domain: a daily cap on the recipients it may start, growing on a
// fixed curve from the day the domain was added, and no cap from `days` on. Days are calendar
// days in the event UTC offset (as the quotas count them). Pure.
#pragma once

#include <cstdint>
#include <optional>

namespace mailpush::delivery {

struct WarmupPlan {
    std::int64_t first_day = 0;   // the day the domain was added (day_index of its creation)
    unsigned start = 200;         // cap on that day (day 0)
    unsigned growth_percent = 50; // each day's cap is the previous day's x (1 + this / 100)
    unsigned days = 30;           // from day `days` on there is no cap

    // The cap on day n after first_day: start, each later day + floor(previous x g / 100) (at
    // least +1 when g > 0), i.e. about start x (1 + g/100)^n; nullopt (no cap) when n >= days. Days before
    // first_day (a clock set back) get day 0's cap.
    std::optional<std::uint64_t> cap_on_day(std::int64_t n) const;
    std::optional<std::uint64_t> cap_at(std::int64_t now_ms, int utc_offset_minutes) const;
};

// Calendar day number of `ms` (since the epoch) in the offset; and where day `day` starts.
std::int64_t day_index(std::int64_t ms, int utc_offset_minutes);
std::int64_t day_start_ms(std::int64_t day, int utc_offset_minutes);

} // namespace mailpush::delivery
