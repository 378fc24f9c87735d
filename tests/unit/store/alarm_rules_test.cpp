// Alarm rules evaluated alone: periods, statistics, consecutive breaches, recovery, gaps and
// active hours, with the clock and the counts as parameters.
#include "mailpush/store/alarm_rules.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace mailpush::store {
namespace {

constexpr std::int64_t kT0 = 1'764'547'200'000; // 2025-12-01 00:00 UTC, a multiple of 60 minutes
constexpr std::int64_t M = kMinuteMs;

AlarmRuleSpec rule(int period, AlarmStatistic stat, double threshold, int consecutive = 1) {
    AlarmRuleSpec s;
    s.name = "r";
    s.item = MonitorItem::smtp_auth_failed;
    s.period_minutes = period;
    s.statistic = stat;
    s.threshold = threshold;
    s.consecutive = consecutive;
    return s;
}

std::vector<MonitorCount> counts(std::initializer_list<std::pair<int, std::int64_t>> minute_counts) {
    std::vector<MonitorCount> out;
    for (const auto& [minute, n] : minute_counts)
        out.push_back({"acc", MonitorItem::smtp_auth_failed, kT0 + minute * M, n});
    return out;
}

// Evaluates at the end of each minute in [1, minutes] (plus the lag), as the runner does.
struct Evaluation {
    AlarmRuleSpec spec;
    AlarmProgress progress;
    std::vector<AlarmTransition> transitions;
    void until(int minute, const std::vector<MonitorCount>& data, int offset = 0) {
        const auto step = advance_alarm(spec, progress, data, kT0 + minute * M + kAlarmLagMs, offset);
        progress = step.progress;
        transitions.insert(transitions.end(), step.transitions.begin(), step.transitions.end());
    }
};

TEST(AlarmRules, ABreachingPeriodFiresOnceAndAQuietOneRecovers) {
    Evaluation r{rule(1, AlarmStatistic::sum, 3), start_progress(rule(1, AlarmStatistic::sum, 3), kT0), {}};
    EXPECT_EQ(r.progress.state, AlarmState::insufficient_data);
    const auto data = counts({{0, 2}, {1, 3}, {2, 5}, {3, 0}});
    r.until(1, data); // minute 0: 2 < 3
    EXPECT_EQ(r.progress.state, AlarmState::ok);
    EXPECT_TRUE(r.transitions.empty()); // insufficient -> ok is not notified
    r.until(2, data);                   // minute 1: 3 >= 3
    ASSERT_EQ(r.transitions.size(), 1u);
    EXPECT_EQ(r.transitions[0].from, AlarmState::ok);
    EXPECT_EQ(r.transitions[0].to, AlarmState::alarm);
    EXPECT_EQ(r.transitions[0].period_end_ms, kT0 + 2 * M);
    EXPECT_EQ(r.transitions[0].value, 3);
    r.until(3, data); // minute 2: still breaching, no second notification
    EXPECT_EQ(r.transitions.size(), 1u);
    r.until(4, data); // minute 3: 0 -> back to ok
    ASSERT_EQ(r.transitions.size(), 2u);
    EXPECT_EQ(r.transitions[1].from, AlarmState::alarm);
    EXPECT_EQ(r.transitions[1].to, AlarmState::ok);
    EXPECT_EQ(r.progress.state, AlarmState::ok);
}

TEST(AlarmRules, NothingIsEvaluatedBeforeAPeriodEndsAndItsLagPasses) {
    const auto spec = rule(5, AlarmStatistic::sum, 1);
    const auto start = start_progress(spec, kT0 + 2 * M); // inside the period [0, 5)
    EXPECT_EQ(start.evaluated_until_ms, kT0);
    EXPECT_TRUE(alarm_input(spec, start, kT0 + 5 * M + kAlarmLagMs - 1).empty());
    const auto range = alarm_input(spec, start, kT0 + 5 * M + kAlarmLagMs);
    EXPECT_EQ(range.from_ms, kT0);
    EXPECT_EQ(range.to_ms, kT0 + 5 * M);
    const auto step = advance_alarm(spec, start, counts({{4, 1}}), kT0 + 5 * M + kAlarmLagMs, 0);
    EXPECT_EQ(step.progress.state, AlarmState::alarm); // the period the rule started in counts
}

TEST(AlarmRules, TheStatisticsOfAPeriodCountMissingMinutesAsZero) {
    const auto data = counts({{0, 4}, {2, 6}}); // minutes 1, 3, 4 have no row
    auto value = [&](AlarmStatistic s) {
        const auto spec = rule(5, s, 1e9);
        return advance_alarm(spec, start_progress(spec, kT0), data, kT0 + 5 * M + kAlarmLagMs, 0)
            .progress.last_value;
    };
    EXPECT_DOUBLE_EQ(value(AlarmStatistic::sum), 10);
    EXPECT_DOUBLE_EQ(value(AlarmStatistic::average), 2);
    EXPECT_DOUBLE_EQ(value(AlarmStatistic::maximum), 6);
    EXPECT_DOUBLE_EQ(value(AlarmStatistic::minimum), 0);
}

TEST(AlarmRules, ConsecutivePeriodsMustAllBreach) {
    const auto spec = rule(1, AlarmStatistic::sum, 1, 3);
    Evaluation r{spec, start_progress(spec, kT0), {}};
    const auto data = counts({{0, 1}, {1, 1}, {2, 0}, {3, 1}, {4, 1}, {5, 1}});
    for (int m = 1; m <= 5; ++m)
        r.until(m, data);
    EXPECT_TRUE(r.transitions.empty()); // two, a quiet minute, then two again
    EXPECT_EQ(r.progress.streak, 2);
    r.until(6, data);
    ASSERT_EQ(r.transitions.size(), 1u);
    EXPECT_EQ(r.transitions[0].period_end_ms, kT0 + 6 * M);
}

TEST(AlarmRules, ComparisonsOtherThanAtLeast) {
    auto fires = [](AlarmComparison c, std::int64_t n) {
        auto spec = rule(1, AlarmStatistic::sum, 2);
        spec.comparison = c;
        const auto step =
            advance_alarm(spec, start_progress(spec, kT0), counts({{0, n}}), kT0 + M + kAlarmLagMs, 0);
        return step.progress.state == AlarmState::alarm;
    };
    EXPECT_TRUE(fires(AlarmComparison::gt, 3));
    EXPECT_FALSE(fires(AlarmComparison::gt, 2));
    EXPECT_TRUE(fires(AlarmComparison::le, 2));
    EXPECT_TRUE(fires(AlarmComparison::lt, 0)); // no row at all is 0
    EXPECT_TRUE(fires(AlarmComparison::eq, 2));
    EXPECT_TRUE(fires(AlarmComparison::ne, 1));
    EXPECT_FALSE(fires(AlarmComparison::ne, 2));
}

TEST(AlarmRules, AfterALongGapOnlyTheLastPeriodsAreEvaluated) {
    const auto spec = rule(1, AlarmStatistic::sum, 1, 2);
    const auto start = start_progress(spec, kT0);
    const auto range = alarm_input(spec, start, kT0 + 600 * M + kAlarmLagMs);
    EXPECT_EQ(range.from_ms, kT0 + 598 * M); // the last two minutes, not ten hours
    const auto step =
        advance_alarm(spec, start, counts({{598, 1}, {599, 4}}), kT0 + 600 * M + kAlarmLagMs, 0);
    EXPECT_EQ(step.progress.state, AlarmState::alarm);
    EXPECT_EQ(step.progress.evaluated_until_ms, kT0 + 600 * M);
    ASSERT_EQ(step.transitions.size(), 1u);
    EXPECT_DOUBLE_EQ(step.transitions[0].value, 4);
}

TEST(AlarmRules, PeriodsEndingOutsideTheActiveHoursChangeNothing) {
    auto spec = rule(60, AlarmStatistic::sum, 1);
    spec.active_from = 9 * 60; // 09:00-18:00 at +08:00
    spec.active_to = 18 * 60;
    // kT0 is 08:00 at +08:00. A period counts by its last minute: the hour ending 09:00 (08:59)
    // is out, the one ending 10:00 in.
    Evaluation r{spec, start_progress(spec, kT0 - 60 * M), {}};
    const auto data = counts({{-30, 5}, {30, 5}, {90, 5}});
    r.until(0, data, 480); // the hour ending 08:00: out, skipped
    EXPECT_EQ(r.progress.state, AlarmState::insufficient_data);
    EXPECT_EQ(r.progress.evaluated_until_ms, kT0);
    r.until(60, data, 480); // ends 09:00: out too
    EXPECT_EQ(r.progress.state, AlarmState::insufficient_data);
    r.until(120, data, 480); // ends 10:00: in
    EXPECT_EQ(r.progress.state, AlarmState::alarm);
    // Across midnight: 22:00-02:00 includes 01:00 and excludes 12:00.
    spec.active_from = 22 * 60;
    spec.active_to = 2 * 60;
    const auto at = [&](int local_hour) {
        const std::int64_t end = kT0 + (local_hour - 8) * 60 * M; // kT0 is 08:00 local
        return advance_alarm(spec, start_progress(spec, end - 60 * M), counts({{(local_hour - 9) * 60, 5}}),
                             end + kAlarmLagMs, 480)
            .progress.state;
    };
    EXPECT_EQ(at(25), AlarmState::alarm); // 01:00 the next day
    EXPECT_EQ(at(12), AlarmState::insufficient_data);
    // The whole day (00:00-23:59) includes the hour that ends at midnight.
    spec.active_from = 0;
    spec.active_to = 1439;
    EXPECT_EQ(at(24), AlarmState::alarm);
}

TEST(AlarmRules, ChecksNameEveryFieldAndParseTheirText) {
    auto good = rule(5, AlarmStatistic::average, 12);
    EXPECT_EQ(check_alarm_rule(good), std::nullopt);
    auto bad = good;
    bad.period_minutes = 7;
    EXPECT_NE(check_alarm_rule(bad)->find("Period"), std::string::npos);
    bad = good;
    bad.name = "two\nlines";
    EXPECT_NE(check_alarm_rule(bad)->find("RuleName"), std::string::npos);
    bad = good;
    bad.threshold = -1;
    EXPECT_NE(check_alarm_rule(bad)->find("Threshold"), std::string::npos);
    bad.threshold = std::numeric_limits<double>::quiet_NaN();
    EXPECT_NE(check_alarm_rule(bad)->find("Threshold"), std::string::npos);
    bad = good;
    bad.name =
        std::string(64 / 2, 'x') +
        "认证失败过多认证失败过多认证失败过多认证失败过多认证失败过多认证失败过多认证失败过多认证失败过多"
        "认证失败过多认证失败过多认证失败过多认证失败过多认证失败过多认证失败过多认证失败过多认证失败过多";
    EXPECT_NE(check_alarm_rule(bad), std::nullopt);       // characters, not bytes: 32 + 96 > 64
    bad.name = std::string(64 - 6, 'x') + "认证失败过多"; // 64 characters, 76 bytes
    EXPECT_EQ(check_alarm_rule(bad), std::nullopt);
    bad = good;
    bad.consecutive = 61;
    EXPECT_NE(check_alarm_rule(bad)->find("ConsecutiveTimes"), std::string::npos);
    EXPECT_EQ(parse_clock("23:59"), 1439);
    EXPECT_EQ(parse_clock("00:00"), 0);
    EXPECT_EQ(parse_clock("24:00"), std::nullopt);
    EXPECT_EQ(parse_clock("9:00"), std::nullopt);
    EXPECT_EQ(format_clock(545), "09:05");
    EXPECT_EQ(parse_statistic("Maximum"), AlarmStatistic::maximum);
    EXPECT_EQ(parse_statistic("max"), std::nullopt);
    EXPECT_EQ(parse_comparison("!="), AlarmComparison::ne);
    EXPECT_EQ(parse_comparison("=>"), std::nullopt);
    EXPECT_EQ(to_string(AlarmState::insufficient_data), "INSUFFICIENT_DATA");
}

TEST(MonitorItems, EveryItemHasAKeyAGroupAndBothNames) {
    for (const auto& i : monitor_items()) {
        EXPECT_EQ(find_monitor_item(i.key), i.item);
        EXPECT_EQ(monitor_key(i.item), i.key);
        EXPECT_TRUE(i.group == "api" || i.group == "smtp") << i.key;
        EXPECT_FALSE(i.zh.empty() || i.en.empty()) << i.key;
    }
    EXPECT_EQ(monitor_items().size(), 11u);
    EXPECT_EQ(find_monitor_item("nope"), std::nullopt);
}

TEST(MonitorMeter, CountsPerAccountItemAndMinuteUntilTaken) {
    MonitorMeter m;
    m.add("a", MonitorItem::api_success, kT0 + 5);
    m.add("a", MonitorItem::api_success, kT0 + 59'999, 2);
    m.add("a", MonitorItem::api_success, kT0 + M);
    m.add("b", MonitorItem::smtp_auth_failed, kT0);
    m.add("", MonitorItem::smtp_auth_failed, kT0); // no account: not counted
    const auto pending = m.pending("a");
    ASSERT_EQ(pending.size(), 2u);
    EXPECT_EQ(pending[0].minute, kT0);
    EXPECT_EQ(pending[0].count, 3);
    EXPECT_EQ(pending[1].minute, kT0 + M);
    const auto taken = m.take();
    EXPECT_EQ(taken.size(), 3u);
    EXPECT_TRUE(m.take().empty());
    EXPECT_TRUE(m.pending("a").empty());
    m.add("b", MonitorItem::smtp_auth_failed, kT0);
    m.restore(taken); // a write that failed: counted again, with what came meanwhile
    const auto again = m.pending("b");
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].count, 2);
    EXPECT_EQ(m.take().size(), 3u);
}

} // namespace
} // namespace mailpush::store
