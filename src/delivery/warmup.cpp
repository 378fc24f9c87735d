#include "mailpush/delivery/warmup.hpp"

#include <algorithm>
#include <limits>

namespace mailpush::delivery {

namespace {
constexpr std::int64_t kDayMs = 86'400'000;
}

std::int64_t day_index(std::int64_t ms, int utc_offset_minutes) {
    const auto local = ms + static_cast<std::int64_t>(utc_offset_minutes) * 60'000;
    return local >= 0 ? local / kDayMs : (local - kDayMs + 1) / kDayMs;
}

std::int64_t day_start_ms(std::int64_t day, int utc_offset_minutes) {
    return day * kDayMs - static_cast<std::int64_t>(utc_offset_minutes) * 60'000;
}

std::optional<std::uint64_t> WarmupPlan::cap_on_day(std::int64_t n) const {
    if (n < 0) n = 0;
    if (n >= static_cast<std::int64_t>(days)) return std::nullopt;
    // Integer steps (no drift from pow): each day grows by floor(previous x g / 100), at least 1
    // when g > 0 (so that small caps grow too).
    std::uint64_t cap = start;
    constexpr auto kMax = std::numeric_limits<std::uint64_t>::max() / 1000;
    const std::uint64_t min_step = growth_percent > 0 ? 1 : 0;
    for (std::int64_t d = 0; d < n && cap < kMax; ++d)
        cap += std::max(min_step, cap * growth_percent / 100);
    return cap;
}

std::optional<std::uint64_t> WarmupPlan::cap_at(std::int64_t now_ms, int utc_offset_minutes) const {
    return cap_on_day(day_index(now_ms, utc_offset_minutes) - first_day);
}

} // namespace mailpush::delivery
