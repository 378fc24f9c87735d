// Monitoring through the OpenAPI (docs/monitoring.md): the monitor items' per-minute data and
// the account's alarm rules. Not DirectMail actions (the hosted service keeps them in its cloud
// monitor); ours, for the console's 监控 page and for applications.
#include "actions.hpp"

#include "mailpush/store/store.hpp"

#include <algorithm>
#include <charconv>

namespace mailpush::openapi::detail {
using nlohmann::json;

namespace {

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kMaxPoints = 1440;
constexpr std::int64_t kBuckets[] = {1, 5, 15, 30, 60, 360, 1440}; // minutes per point

[[noreturn]] void invalid(const std::string& message) {
    throw ApiError{400, "InvalidParameter", message};
}

store::MonitorItem item_param(const std::string& value) {
    if (auto item = store::find_monitor_item(value)) return *item;
    std::string keys;
    for (const auto& i : store::monitor_items())
        keys += (keys.empty() ? "" : ", ") + std::string(i.key);
    throw ApiError{400, "InvalidParameter", "Item must be one of: " + keys + "."};
}

double number_param(const std::string& name, const std::string& text) {
    double v = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc{} || ptr != end)
        invalid("The parameter " + name + " must be a number.");
    return v;
}

bool bool_param(const std::string& name, const std::string& text) {
    if (text == "true") return true;
    if (text == "false") return false;
    invalid("The parameter " + name + " must be true or false.");
}

int clock_param(const std::string& name, const std::string& text) {
    if (auto m = store::parse_clock(text)) return *m;
    invalid("The parameter " + name + " must be a time of day HH:MM.");
}

// The parameters given, over `spec` (a new rule's defaults, or the rule being modified).
store::AlarmRuleSpec spec_from(const ActionContext& c, store::AlarmRuleSpec spec) {
    const auto& p = c.params;
    // A parameter named but empty is refused: it would otherwise reset the field to its default.
    auto given = [&](const char* name) -> const std::string* {
        const auto it = p.find(name);
        if (it == p.end()) return nullptr;
        if (it->second.empty()) invalid(std::string("The parameter ") + name + " must not be empty.");
        return &it->second;
    };
    if (const auto* v = given("RuleName")) spec.name = *v;
    if (const auto* v = given("Item")) spec.item = item_param(*v);
    if (given("Period")) spec.period_minutes = static_cast<int>(c.integer("Period", 5, 1, 60));
    if (const auto* v = given("Statistics")) {
        const auto s = store::parse_statistic(*v);
        if (!s) invalid("Statistics must be Average, Maximum, Minimum or Sum.");
        spec.statistic = *s;
    }
    if (const auto* v = given("ComparisonOperator")) {
        const auto o = store::parse_comparison(*v);
        if (!o) invalid("ComparisonOperator must be one of >=, >, <=, <, ==, !=.");
        spec.comparison = *o;
    }
    if (const auto* v = given("Threshold")) spec.threshold = number_param("Threshold", *v);
    if (given("ConsecutiveTimes"))
        spec.consecutive = static_cast<int>(c.integer("ConsecutiveTimes", 1, 1, 60));
    if (const auto* v = given("EffectiveStart")) spec.active_from = clock_param("EffectiveStart", *v);
    if (const auto* v = given("EffectiveEnd")) spec.active_to = clock_param("EffectiveEnd", *v);
    if (const auto* v = given("Enabled")) spec.enabled = bool_param("Enabled", *v);
    if (auto problem = store::check_alarm_rule(spec)) invalid(*problem);
    return spec;
}

json rule_json(const store::AlarmRule& r) {
    const auto& s = r.spec;
    return {{"RuleId", r.id},
            {"RuleName", s.name},
            {"Item", store::monitor_key(s.item)},
            {"Period", s.period_minutes},
            {"Statistics", store::to_string(s.statistic)},
            {"ComparisonOperator", store::to_string(s.comparison)},
            {"Threshold", s.threshold},
            {"ConsecutiveTimes", s.consecutive},
            {"EffectiveStart", store::format_clock(s.active_from)},
            {"EffectiveEnd", store::format_clock(s.active_to)},
            {"Enabled", s.enabled},
            {"State", store::to_string(r.progress.state)},
            {"LastValue", r.progress.last_value},
            {"StateChangedTime", r.progress.changed_ms},
            {"CreateTime", r.created_ms}};
}

std::int64_t rule_id(ActionContext& c) {
    return id_param(c, "RuleId");
}

// A store refusal of a rule: its message names the parameter.
template <class F>
auto rule_call(F&& f) {
    try {
        return f();
    } catch (const store::StoreError& e) {
        if (e.kind() == store::ErrorKind::not_found)
            throw ApiError{404, "InvalidAlarmRule.NotFound", "The specified alarm rule does not exist."};
        throw;
    }
}

} // namespace

// Item; StartTime and EndTime in ms since the epoch (default: the last hour); Period, minutes
// per point (1, 5, 15, 30, 60, 360 or 1440; default the smallest giving at most 1440 points).
json query_monitor_data(ActionContext& c) {
    const auto item = item_param(c.required("Item"));
    const std::int64_t now_ms = c.now_s * 1000;
    const auto end = c.integer("EndTime", now_ms, 0, INT64_MAX / 2);
    const auto start = c.integer("StartTime", end - 3'600'000, 0, INT64_MAX / 2);
    if (end <= start) invalid("EndTime must be after StartTime.");
    if (end - start > store::kMonitorViewDays * kDayMs) invalid("At most 14 days of monitor data per query.");
    if (start < now_ms - store::kMonitorRetentionDays * kDayMs) invalid("Monitor data is kept for 31 days.");
    // Points from the bucket holding StartTime to the one holding the last millisecond.
    // Points start at whole periods of the region's time (a 1440-minute point is a local day).
    const std::int64_t offset_ms = c.options.utc_offset_minutes * store::kMinuteMs;
    auto first_of = [&](std::int64_t ms) { return (start + offset_ms) / ms * ms - offset_ms; };
    auto points_of = [&](std::int64_t minutes) {
        const std::int64_t ms = minutes * store::kMinuteMs;
        return (end - first_of(ms) + ms - 1) / ms;
    };
    std::int64_t period = 0;
    if (const auto it = c.params.find("Period"); it != c.params.end() && !it->second.empty()) {
        period = c.integer("Period", 1, 1, 1440);
        if (std::find(std::begin(kBuckets), std::end(kBuckets), period) == std::end(kBuckets))
            invalid("Period must be 1, 5, 15, 30, 60, 360 or 1440 minutes.");
        if (points_of(period) > kMaxPoints) invalid("At most 1440 points: choose a longer Period.");
    } else {
        for (const auto b : kBuckets)
            if (!period && points_of(b) <= kMaxPoints) period = b;
    }
    const std::int64_t bucket_ms = period * store::kMinuteMs;
    const std::int64_t first = first_of(bucket_ms);
    const auto counts = c.store.monitor_counts(c.account, item, first, end);
    json points = json::array();
    std::size_t next = 0;
    for (std::int64_t t = first; t < end; t += bucket_ms) {
        std::int64_t sum = 0, max = 0;
        for (; next < counts.size() && counts[next].minute < t + bucket_ms; ++next) {
            sum += counts[next].count;
            max = std::max(max, counts[next].count);
        }
        points.push_back({{"Time", t},
                          {"Sum", sum},
                          {"Average", static_cast<double>(sum) / static_cast<double>(period)},
                          {"Maximum", max}});
    }
    return {{"Item", store::monitor_key(item)},
            {"Unit", "Count/Min"},
            {"Period", period},
            {"Points", {{"Point", points}}}};
}

json create_alarm_rule(ActionContext& c) {
    c.required("RuleName");
    c.required("Item");
    c.required("Threshold");
    const auto spec = spec_from(c, store::AlarmRuleSpec{});
    const auto rule = c.store.add_alarm_rule(c.account, spec, c.now_s * 1000);
    return rule_json(rule);
}

json query_alarm_rules(ActionContext& c) {
    json list = json::array();
    for (const auto& r : c.store.list_alarm_rules(c.account))
        list.push_back(rule_json(r));
    // Who gets the alarms: the account-wide target if it takes them and notifications are on.
    const auto dir = c.store.directory();
    const auto* account = dir->account(c.account);
    const auto* target = dir->notify_target(c.account, "");
    const bool notified = account && account->events_enabled && target && target->wants("Monitor:Alarm");
    return {{"TotalCount", list.size()},
            {"NotifyTarget", notified ? target->target : ""},
            {"Rules", {{"Rule", list}}}};
}

// RuleId and the parameters to change (as CreateAlarmRule's); the others are kept.
json modify_alarm_rule(ActionContext& c) {
    const auto id = rule_id(c);
    return rule_call([&] {
        const auto old = c.store.get_alarm_rule(c.account, id);
        const auto rule = c.store.update_alarm_rule(c.account, id, spec_from(c, old.spec), c.now_s * 1000);
        return rule_json(rule);
    });
}

json delete_alarm_rule(ActionContext& c) {
    const auto id = rule_id(c);
    rule_call([&] {
        c.store.remove_alarm_rule(c.account, id);
        return 0;
    });
    return json::object();
}

} // namespace mailpush::openapi::detail
