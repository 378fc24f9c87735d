#include "mailpush/delivery/retry_policy.hpp"

#include <algorithm>

namespace mailpush::delivery {

std::optional<std::chrono::milliseconds> RetryPolicy::next_delay(unsigned failed_attempts, Retry retry,
                                                                 std::chrono::milliseconds age) const {
    if (retry == Retry::no || failed_attempts == 0) return std::nullopt;
    auto delay = initial * (retry == Retry::slower ? 4 : 1);
    for (unsigned i = 1; i < failed_attempts && delay < max; ++i)
        delay *= 2; // bounded by the cap
    delay = std::min(delay, max);
    if (age + delay >= lifetime) return std::nullopt;
    return delay;
}

} // namespace mailpush::delivery
