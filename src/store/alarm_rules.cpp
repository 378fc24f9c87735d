#include "mailpush/store/alarm_rules.hpp"

#include "mailpush/common/strings.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace mailpush::store {
namespace {

constexpr std::string_view kStatistics[] = {"Average", "Maximum", "Minimum", "Sum"};
constexpr std::string_view kComparisons[] = {">=", ">", "<=", "<", "==", "!="};
constexpr int kPeriods[] = {1, 5, 15, 30, 60};

bool breaches(AlarmComparison c, double value, double threshold) {
    switch (c) {
    case AlarmComparison::ge:
        return value >= threshold;
    case AlarmComparison::gt:
        return value > threshold;
    case AlarmComparison::le:
        return value <= threshold;
    case AlarmComparison::lt:
        return value < threshold;
    case AlarmComparison::eq:
        return value == threshold;
    case AlarmComparison::ne:
        return value != threshold;
    }
    return false;
}

// The statistic of the minutes [end - period, end).
double period_value(const AlarmRuleSpec& spec, std::int64_t end_ms, const std::vector<MonitorCount>& counts) {
    const std::int64_t start = end_ms - spec.period_minutes * kMinuteMs;
    double sum = 0, max = 0, min = std::numeric_limits<double>::max();
    int seen = 0;
    for (const auto& c : counts) {
        if (c.minute < start || c.minute >= end_ms) continue;
        const auto v = static_cast<double>(c.count);
        sum += v;
        max = std::max(max, v);
        min = std::min(min, v);
        ++seen;
    }
    if (seen < spec.period_minutes) min = 0; // a minute without a row counted 0
    switch (spec.statistic) {
    case AlarmStatistic::average:
        return sum / spec.period_minutes;
    case AlarmStatistic::maximum:
        return max;
    case AlarmStatistic::minimum:
        return min;
    case AlarmStatistic::sum:
        return sum;
    }
    return 0;
}

// Whether the period ending at `end_ms` is evaluated: its last minute is within the active hours
// (so 00:00-23:59 covers the period that ends at midnight).
bool active_at(const AlarmRuleSpec& spec, std::int64_t end_ms, int utc_offset_minutes) {
    const std::int64_t local_minutes = end_ms / kMinuteMs - 1 + utc_offset_minutes;
    const int of_day = static_cast<int>(((local_minutes % 1440) + 1440) % 1440);
    if (spec.active_from <= spec.active_to) return of_day >= spec.active_from && of_day <= spec.active_to;
    return of_day >= spec.active_from || of_day <= spec.active_to; // across midnight
}

std::int64_t period_ms(const AlarmRuleSpec& spec) {
    return spec.period_minutes * kMinuteMs;
}

// The first and last period ends to evaluate at `now_ms` (first > last: none).
std::pair<std::int64_t, std::int64_t> due_periods(const AlarmRuleSpec& spec, const AlarmProgress& progress,
                                                  std::int64_t now_ms) {
    const auto p = period_ms(spec);
    const std::int64_t last = (now_ms - kAlarmLagMs) / p * p;
    std::int64_t first = progress.evaluated_until_ms + p;
    if (last >= first && (last - first) / p >= spec.consecutive) first = last - (spec.consecutive - 1) * p;
    return {first, last};
}

} // namespace

std::string_view to_string(AlarmStatistic s) {
    return kStatistics[static_cast<int>(s)];
}
std::string_view to_string(AlarmComparison c) {
    return kComparisons[static_cast<int>(c)];
}
std::string_view to_string(AlarmState s) {
    switch (s) {
    case AlarmState::insufficient_data:
        return "INSUFFICIENT_DATA";
    case AlarmState::ok:
        return "OK";
    case AlarmState::alarm:
        return "ALARM";
    }
    return "";
}

std::optional<AlarmStatistic> parse_statistic(std::string_view s) {
    for (std::size_t i = 0; i < std::size(kStatistics); ++i)
        if (kStatistics[i] == s) return static_cast<AlarmStatistic>(i);
    return std::nullopt;
}

std::optional<AlarmComparison> parse_comparison(std::string_view s) {
    for (std::size_t i = 0; i < std::size(kComparisons); ++i)
        if (kComparisons[i] == s) return static_cast<AlarmComparison>(i);
    return std::nullopt;
}

std::optional<int> parse_clock(std::string_view hhmm) {
    if (hhmm.size() != 5 || hhmm[2] != ':') return std::nullopt;
    for (const std::size_t i : {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{4}})
        if (hhmm[i] < '0' || hhmm[i] > '9') return std::nullopt;
    const int h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0');
    const int m = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
    if (h > 23 || m > 59) return std::nullopt;
    return h * 60 + m;
}

std::string format_clock(int minutes) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d:%02d", (minutes / 60) % 100, minutes % 60);
    return buf;
}

std::optional<std::string> check_alarm_rule(const AlarmRuleSpec& spec) {
    const bool one_line = spec.name.find_first_of("\r\n") == std::string::npos;
    if (spec.name.empty() || common::utf8_length(spec.name) > 64 || !one_line)
        return "RuleName: 1-64 characters, one line";
    if (std::find(std::begin(kPeriods), std::end(kPeriods), spec.period_minutes) == std::end(kPeriods))
        return "Period: 1, 5, 15, 30 or 60 minutes";
    if (!(spec.threshold >= 0 && spec.threshold <= 1e9)) return "Threshold: a number from 0 to 1000000000";
    if (spec.consecutive < 1 || spec.consecutive > 60) return "ConsecutiveTimes: 1-60";
    if (spec.active_from < 0 || spec.active_from > 1439 || spec.active_to < 0 || spec.active_to > 1439)
        return "EffectiveStart/EffectiveEnd: HH:MM";
    return std::nullopt;
}

AlarmProgress start_progress(const AlarmRuleSpec& spec, std::int64_t now_ms) {
    AlarmProgress p;
    p.evaluated_until_ms = now_ms / period_ms(spec) * period_ms(spec);
    p.changed_ms = now_ms;
    return p;
}

MinuteRange alarm_input(const AlarmRuleSpec& spec, const AlarmProgress& progress, std::int64_t now_ms) {
    const auto [first, last] = due_periods(spec, progress, now_ms);
    if (first > last) return {};
    return {first - period_ms(spec), last};
}

AlarmStep advance_alarm(const AlarmRuleSpec& spec, const AlarmProgress& progress,
                        const std::vector<MonitorCount>& counts, std::int64_t now_ms,
                        int utc_offset_minutes) {
    AlarmStep step{progress, {}};
    const auto [first, last] = due_periods(spec, progress, now_ms);
    if (first > last) return step;
    auto& p = step.progress;
    if (first != progress.evaluated_until_ms + period_ms(spec)) p.streak = 0; // a gap: start again
    for (std::int64_t end = first; end <= last; end += period_ms(spec)) {
        p.evaluated_until_ms = end;
        if (!active_at(spec, end, utc_offset_minutes)) {
            p.streak = 0;
            continue;
        }
        const double value = period_value(spec, end, counts);
        p.last_value = value;
        AlarmState next = AlarmState::ok;
        if (breaches(spec.comparison, value, spec.threshold)) {
            p.streak = std::min(p.streak + 1, spec.consecutive);
            if (p.streak >= spec.consecutive || p.state == AlarmState::alarm) next = AlarmState::alarm;
        } else {
            p.streak = 0;
        }
        if (next == p.state) continue;
        if (next == AlarmState::alarm || p.state == AlarmState::alarm)
            step.transitions.push_back({p.state, next, end, value});
        p.state = next;
        p.changed_ms = end;
    }
    return step;
}

} // namespace mailpush::store
