#include "mailpush/delivery/retry_policy.hpp"

#include "mailpush/common/backoff.hpp"

namespace mailpush::delivery {

std::optional<std::chrono::milliseconds> RetryPolicy::next_delay(unsigned failed_attempts, Retry retry,
                                                                 std::chrono::milliseconds age) const {
    if (retry == Retry::no || failed_attempts == 0) return std::nullopt;
    const common::Backoff backoff{initial * (retry == Retry::slower ? 4 : 1), max, lifetime};
    return backoff.next(failed_attempts, age);
}

} // namespace mailpush::delivery
