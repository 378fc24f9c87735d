#include "mailpush/notify/alarm_runner.hpp"

#include "mailpush/common/calendar.hpp"
#include "mailpush/common/url.hpp"

#include <spdlog/spdlog.h>

#include <cmath>

namespace mailpush::notify {
namespace {

constexpr common::ByteSet kValueBytes = ~common::ByteSet("&%=\r\n");
constexpr const char* kAlarmType = "Monitor:Alarm";

std::string value(std::string_view v) {
    return common::percent_encode(v, kValueBytes);
}

std::string number(double v) {
    if (std::nearbyint(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<std::int64_t>(v));
    return fmt::format("{:.3f}", v);
}

} // namespace

std::string alarm_event_text(const store::AlarmRule& rule, const store::AlarmTransition& t,
                             int utc_offset_minutes) {
    const auto& s = rule.spec;
    const common::UnixSeconds local{std::chrono::seconds{t.period_end_ms / 1000} +
                                    std::chrono::minutes{utc_offset_minutes}};
    return "event=Alarm&account=" + value(rule.account) + "&rule_id=" + std::to_string(rule.id) +
           "&rule_name=" + value(s.name) + "&item=" + value(store::monitor_key(s.item)) +
           "&state=" + value(store::to_string(t.to)) + "&previous_state=" + value(store::to_string(t.from)) +
           "&value=" + number(t.value) + "&statistic=" + value(store::to_string(s.statistic)) +
           "&comparison=" + value(store::to_string(s.comparison)) + "&threshold=" + number(s.threshold) +
           "&period=" + std::to_string(s.period_minutes) + "&consecutive=" + std::to_string(s.consecutive) +
           "&period_end=" + value(common::format_time(local, common::TimeFormat::date_time));
}

std::size_t AlarmRunner::run(std::int64_t now_ms) {
    if (now_ms < next_ms_) return 0;
    // The next evaluation: just after the next minute's counts are written.
    next_ms_ = (now_ms - store::kAlarmLagMs) / store::kMinuteMs * store::kMinuteMs + store::kMinuteMs +
               store::kAlarmLagMs;
    std::size_t sent = 0;
    const auto dir = store_.directory();
    for (const auto& rule : store_.list_alarm_rules("")) {
        if (!rule.spec.enabled) continue;
        const auto range = store::alarm_input(rule.spec, rule.progress, now_ms);
        if (range.empty()) continue;
        const auto counts = store_.monitor_counts(rule.account, rule.spec.item, range.from_ms, range.to_ms);
        const auto step = store::advance_alarm(rule.spec, rule.progress, counts, now_ms, offset_);
        // Sent before the progress is saved: a crash in between sends a change again, never loses it.
        const auto* account = dir->account(rule.account);
        const auto* target = dir->notify_target(rule.account, "");
        for (const auto& t : step.transitions) {
            spdlog::info("alarm.{} account={} rule_id={} item={} value={}",
                         t.to == store::AlarmState::alarm ? "fire" : "recover", rule.account, rule.id,
                         store::monitor_key(rule.spec.item), t.value);
            if (!account || !account->events_enabled || !target || !target->wants(kAlarmType)) continue;
            log_.deliver(rule.account, {target->target == "queue", target->address}, kAlarmType,
                         alarm_event_text(rule, t, offset_), now_ms);
            ++sent;
        }
        store_.save_alarm_progress(rule.id, rule.version, step.progress);
    }
    return sent;
}

} // namespace mailpush::notify
