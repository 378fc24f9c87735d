// When to try a deferred recipient again (SPEC §4): first retry after `initial`, doubling,
// capped at `max`; "slower" classes (frequency limits) wait 4× as long, same cap; after
// `lifetime` since the message was received the recipient fails for good. Pure.
#pragma once

#include "mailpush/delivery/classifier.hpp"

#include <chrono>
#include <optional>

namespace mailpush::delivery {

struct RetryPolicy {
    std::chrono::milliseconds initial{60'000};
    std::chrono::milliseconds max{3'600'000};
    std::chrono::milliseconds lifetime{3 * 86'400'000LL};

    // Delay before attempt number `failed_attempts + 1`, or nullopt if no further attempt may
    // start before the lifetime ends (`age` = time since the message was received).
    std::optional<std::chrono::milliseconds> next_delay(unsigned failed_attempts, Retry retry,
                                                        std::chrono::milliseconds age) const;
};

} // namespace mailpush::delivery
