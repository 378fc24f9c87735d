// The warm-up curve an account's domains follow: the [delivery] keys with the account's
// overrides (docs/delivery.md "Warm-up", docs/accounts.md). Pure.
#pragma once

#include "mailpush/delivery/warmup.hpp"
#include "mailpush/store/traffic.hpp"

#include <optional>

namespace mailpush::delivery {

// `enabled`, `curve` (first_day unused): [delivery] warmup and its curve. The account's
// warmup, warmup_start, warmup_growth_percent and warmup_days replace them where set; nullopt
// when warm-up is off for the account.
std::optional<WarmupPlan> account_warmup(bool enabled, WarmupPlan curve,
                                         const store::TrafficOverrides& overrides);

} // namespace mailpush::delivery
