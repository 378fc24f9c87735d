// When to try again after failures: `initial`, doubling, capped at `cap`; no further try once
// `lifetime` has passed since the first. Used for delivery retries and notification pushes. Pure.
#pragma once

#include <chrono>
#include <optional>

namespace mailpush::common {

struct Backoff {
    std::chrono::milliseconds initial{1000};
    std::chrono::milliseconds cap{std::chrono::hours{1}};
    std::chrono::milliseconds lifetime = std::chrono::milliseconds::max();

    // Wait before retry number `retry` (1 = the first): initial × 2^(retry-1), at most cap.
    std::chrono::milliseconds delay(unsigned retry) const noexcept;

    // The same wait, or nullopt when the retry would start at or after the lifetime
    // (`age` = time since the first try).
    std::optional<std::chrono::milliseconds> next(unsigned retry,
                                                  std::chrono::milliseconds age) const noexcept;
};

} // namespace mailpush::common
