// Alarm rules at work over a real store and notification log: a rule that breaches sends one
// Monitor:Alarm event to the account's target (pull queue or push outbox), its recovery one more,
// and nothing is sent to a target that filters the type out or while notifications are off.
#include "temp_dir.hpp"

#include "mailpush/delivery/delivery_log.hpp"
#include "mailpush/notify/alarm_runner.hpp"
#include "mailpush/store/store.hpp"

#include <gtest/gtest.h>

using namespace mailpush;

namespace {

constexpr std::int64_t kT0 = 1'764'547'200'000; // a whole hour (UTC)
constexpr std::int64_t M = store::kMinuteMs;

class AlarmRunnerTest : public ::testing::Test {
protected:
    void SetUp() override {
        store::StoreLimits limits;
        limits.password_cost = {64, 1};
        limits.allow_private_notify_targets = true;
        store = std::make_unique<store::Store>((temp.path() / "s.db").string(), limits, "cn-hangzhou");
        delivery_log = std::make_unique<delivery::DeliveryLog>((temp.path() / "d.db").string());
        log = std::make_unique<notify::NotifyLog>((temp.path() / "d.db").string());
        store->add_account("acc");
        store->add_account("quiet");
    }
    store::AlarmRule add_rule(const std::string& account, double threshold) {
        store::AlarmRuleSpec spec;
        spec.name = "auth failures";
        spec.item = store::MonitorItem::smtp_auth_failed;
        spec.period_minutes = 1;
        spec.statistic = store::AlarmStatistic::sum;
        spec.threshold = threshold;
        return store->add_alarm_rule(account, spec, kT0);
    }
    // The store writes the meter as the daemon does every 2 s, then the runner's minute.
    std::size_t minute(int n) {
        store->flush_monitor(kT0 + n * M);
        return runner().run(kT0 + n * M + store::kAlarmLagMs);
    }
    notify::AlarmRunner& runner() {
        if (!runner_) runner_ = std::make_unique<notify::AlarmRunner>(*store, *log, 480);
        return *runner_;
    }
    test_support::TempDir temp{"mailpush-alarms"};
    std::unique_ptr<store::Store> store;
    std::unique_ptr<delivery::DeliveryLog> delivery_log;
    std::unique_ptr<notify::NotifyLog> log;
    std::unique_ptr<notify::AlarmRunner> runner_;
};

TEST_F(AlarmRunnerTest, AFiringRuleAndItsRecoveryReachThePullQueueOnce) {
    store->set_notify_target("acc", "", "queue", {}, "");
    const auto rule = add_rule("acc", 2);
    store->monitor().add("acc", store::MonitorItem::smtp_auth_failed, kT0 + 10'000, 3);
    store->monitor().add("quiet", store::MonitorItem::smtp_auth_failed, kT0 + 10'000, 9); // no rule
    EXPECT_EQ(minute(1), 1u);
    EXPECT_EQ(runner().run(kT0 + M + store::kAlarmLagMs + 1000), 0u); // same minute: nothing more
    EXPECT_EQ(minute(2), 1u);                                         // a quiet minute: recovered
    EXPECT_EQ(minute(3), 0u);
    const auto messages = log->receive("acc", 10, kT0 + 4 * M, 30'000);
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[0].type, "Monitor:Alarm");
    EXPECT_NE(messages[0].text.find("event=Alarm&account=acc&rule_id=" + std::to_string(rule.id)),
              std::string::npos);
    EXPECT_NE(messages[0].text.find(
                  "&rule_name=auth failures&item=smtp_auth_failed&state=ALARM"
                  "&previous_state=INSUFFICIENT_DATA&value=3&statistic=Sum&comparison=>%3D&threshold=2"),
              std::string::npos)
        << messages[0].text;
    EXPECT_NE(messages[0].text.find("&period_end=2025-12-01 08:01:00"), std::string::npos); // +08:00
    EXPECT_NE(messages[1].text.find("state=OK&previous_state=ALARM&value=0"), std::string::npos);
    const auto saved = store->get_alarm_rule("acc", rule.id);
    EXPECT_EQ(saved.progress.state, store::AlarmState::ok);
    EXPECT_EQ(saved.progress.evaluated_until_ms, kT0 + 3 * M);
    EXPECT_EQ(log->queue_size("quiet"), 0u);
}

TEST_F(AlarmRunnerTest, AnHttpTargetGetsItInTheOutboxAndAFilteredOneNothing) {
    store->set_notify_target("acc", "", "https://hooks.example/alarms", {"Monitor:Alarm"}, "");
    add_rule("acc", 1);
    store->monitor().add("acc", store::MonitorItem::smtp_auth_failed, kT0, 1);
    EXPECT_EQ(minute(1), 1u);
    const auto due = log->due(kT0 + 2 * M, 10);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].account, "acc");
    EXPECT_EQ(due[0].address, "");
    EXPECT_EQ(due[0].type, "Monitor:Alarm");

    store->set_notify_target("quiet", "", "queue", {"Deliver:SendFailed"}, "");
    const auto filtered = add_rule("quiet", 1);
    store->monitor().add("quiet", store::MonitorItem::smtp_auth_failed, kT0 + M, 1);
    EXPECT_EQ(minute(2), 1u); // acc's recovery only
    EXPECT_EQ(log->queue_size("quiet"), 0u);
    EXPECT_EQ(store->get_alarm_rule("quiet", filtered.id).progress.state, store::AlarmState::alarm);
}

TEST_F(AlarmRunnerTest, DisabledRulesAndAccountsWithNotificationsOffSendNothing) {
    store->set_notify_target("acc", "", "queue", {}, "");
    auto rule = add_rule("acc", 1);
    rule.spec.enabled = false;
    store->update_alarm_rule("acc", rule.id, rule.spec, kT0);
    store->monitor().add("acc", store::MonitorItem::smtp_auth_failed, kT0, 5);
    EXPECT_EQ(minute(1), 0u);
    EXPECT_EQ(store->get_alarm_rule("acc", rule.id).progress.state, store::AlarmState::insufficient_data);
    rule.spec.enabled = true;
    store->update_alarm_rule("acc", rule.id, rule.spec, kT0 + M); // starts again at minute 1
    store->set_events_enabled("acc", false);
    store->monitor().add("acc", store::MonitorItem::smtp_auth_failed, kT0 + M, 5);
    EXPECT_EQ(minute(2), 0u);
    EXPECT_EQ(store->get_alarm_rule("acc", rule.id).progress.state, store::AlarmState::alarm); // evaluated
    EXPECT_EQ(log->queue_size("acc"), 0u);
}

} // namespace
