#include "mailpush/delivery/throttle.hpp"

#include <algorithm>
#include <cmath>

namespace mailpush::delivery {

ThrottleChange Throttle::on_rate_limited(const std::string& key, std::int64_t started_ms, std::int64_t now) {
    auto& s = states_[key];
    if (s.level > 0 && started_ms < s.changed_at) return ThrottleChange::none;
    s.level = std::min(s.level + 1, SlowdownPolicy::kMaxLevel);
    const auto pause =
        std::min<std::int64_t>(policy_.pause.count() << (s.level - 1), policy_.max_pause.count());
    s.paused_until = now + pause;
    s.changed_at = now;
    return ThrottleChange::slowed;
}

ThrottleChange Throttle::on_delivered(const std::string& key, std::int64_t now) {
    const auto it = states_.find(key);
    if (it == states_.end()) return ThrottleChange::none;
    auto& s = it->second;
    if (now - s.changed_at < policy_.recovery.count()) return ThrottleChange::none;
    s.changed_at = now;
    if (--s.level > 0) return ThrottleChange::stepped_up;
    states_.erase(it);
    return ThrottleChange::recovered;
}

int Throttle::level(const std::string& key) const {
    const auto it = states_.find(key);
    return it == states_.end() ? 0 : it->second.level;
}

std::int64_t Throttle::paused_until(const std::string& key) const {
    const auto it = states_.find(key);
    return it == states_.end() ? 0 : it->second.paused_until;
}

DestinationLimits Throttle::apply(const std::string& key, DestinationLimits normal) const {
    const int lvl = level(key);
    if (lvl == 0) return normal;
    DestinationLimits out = normal;
    out.max_connections = 1;
    const double base = normal.rate_per_second > 0 ? normal.rate_per_second : policy_.base_rate;
    out.rate_per_second = base / std::ldexp(1.0, lvl);
    return out;
}

} // namespace mailpush::delivery
