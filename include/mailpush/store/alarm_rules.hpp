// Alarm rules on the monitor items (docs/monitoring.md), as the hosted console's 报警规则: an
// item, a period, a statistic of the per-minute counts over each period, a comparison with a
// threshold, how many consecutive periods must breach it, and the hours of the day the rule is
// in effect. Pure: the rule's fields, their checks and the evaluation of finished periods.
#pragma once

#include "mailpush/store/monitor.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::store {

enum class AlarmStatistic : std::uint8_t { average, maximum, minimum, sum };
enum class AlarmComparison : std::uint8_t { ge, gt, le, lt, eq, ne };
// insufficient_data: no period evaluated yet (new, edited or re-enabled rule).
enum class AlarmState : std::uint8_t { insufficient_data, ok, alarm };

std::string_view to_string(AlarmStatistic s);  // "Average", "Maximum", "Minimum", "Sum"
std::string_view to_string(AlarmComparison c); // ">=", ">", "<=", "<", "==", "!="
std::string_view to_string(AlarmState s);      // "INSUFFICIENT_DATA", "OK", "ALARM"
std::optional<AlarmStatistic> parse_statistic(std::string_view s);
std::optional<AlarmComparison> parse_comparison(std::string_view s);

// What a user sets. Active hours are local minutes of the day [0, 1439] in the account's region
// (UTC offset), both ends included; from > to spans midnight.
struct AlarmRuleSpec {
    std::string name; // 1-64 characters (UTF-8), one line
    MonitorItem item{};
    int period_minutes = 5; // 1, 5, 15, 30 or 60
    AlarmStatistic statistic = AlarmStatistic::average;
    AlarmComparison comparison = AlarmComparison::ge;
    double threshold = 0; // 0 - 1e9 (Count/min)
    int consecutive = 1;  // 1 - 60
    int active_from = 0, active_to = 1439;
    bool enabled = true;
    bool operator==(const AlarmRuleSpec&) const = default;
};

// The first problem with `spec`, naming the field; nullopt if it is good.
std::optional<std::string> check_alarm_rule(const AlarmRuleSpec& spec);
// "HH:MM" <-> minutes of the day; nullopt for anything else.
std::optional<int> parse_clock(std::string_view hhmm);
std::string format_clock(int minutes);

// Where a rule's evaluation stands, kept with the rule.
struct AlarmProgress {
    AlarmState state = AlarmState::insufficient_data;
    int streak = 0;                      // consecutive breaching periods up to evaluated_until
    std::int64_t evaluated_until_ms = 0; // end of the last period evaluated (or skipped)
    double last_value = 0;               // the statistic of that period
    std::int64_t changed_ms = 0;         // when the state last changed
};

// A rule that starts (is created, edited or enabled) at `now_ms`: the period in progress is
// its first.
AlarmProgress start_progress(const AlarmRuleSpec& spec, std::int64_t now_ms);

struct AlarmTransition {
    AlarmState from{}, to{};
    std::int64_t period_end_ms = 0;
    double value = 0;
};

struct AlarmStep {
    AlarmProgress progress;
    std::vector<AlarmTransition> transitions; // to alarm, and from alarm back to ok: notified
};

// A period ends `lag_ms` before it is evaluated, so the minute's counts are written by then.
inline constexpr std::int64_t kAlarmLagMs = 10'000;

// The minutes [from_ms, to_ms) whose counts advance() needs at `now_ms`; empty when no period
// has finished since the last evaluation.
struct MinuteRange {
    std::int64_t from_ms = 0, to_ms = 0;
    bool empty() const { return to_ms <= from_ms; }
};
MinuteRange alarm_input(const AlarmRuleSpec& spec, const AlarmProgress& progress, std::int64_t now_ms);

// Evaluates every period that finished since progress.evaluated_until_ms (only the last
// `consecutive` of them after a long gap: older ones cannot change the outcome). `counts`: the
// rule's item for its account, sorted by minute, minutes without a row counting 0. A period
// whose last minute falls outside the active hours is skipped: no state change, and the streak
// restarts after it.
AlarmStep advance_alarm(const AlarmRuleSpec& spec, const AlarmProgress& progress,
                        const std::vector<MonitorCount>& counts, std::int64_t now_ms, int utc_offset_minutes);

} // namespace mailpush::store
