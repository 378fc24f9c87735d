#include "mailpush/engine/account_warmup.hpp"

namespace mailpush::delivery {

std::optional<WarmupPlan> account_warmup(bool enabled, WarmupPlan curve,
                                         const store::TrafficOverrides& overrides) {
    if (!overrides.warmup.value_or(enabled)) return std::nullopt;
    curve.start = overrides.warmup_start.value_or(curve.start);
    curve.growth_percent = overrides.warmup_growth_percent.value_or(curve.growth_percent);
    curve.days = overrides.warmup_days.value_or(curve.days);
    return curve;
}

} // namespace mailpush::delivery
