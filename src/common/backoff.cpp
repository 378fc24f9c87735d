#include "mailpush/common/backoff.hpp"

#include <algorithm>

namespace mailpush::common {

std::chrono::milliseconds Backoff::delay(unsigned retry) const noexcept {
    auto d = initial;
    for (unsigned i = 1; i < retry && d < cap; ++i)
        d *= 2; // stops at the cap: no overflow however many retries
    return std::min(d, cap);
}

std::optional<std::chrono::milliseconds> Backoff::next(unsigned retry,
                                                       std::chrono::milliseconds age) const noexcept {
    const auto d = delay(retry);
    if (age >= lifetime || d >= lifetime - age) return std::nullopt;
    return d;
}

} // namespace mailpush::common
