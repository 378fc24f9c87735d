// Ours: the monitor's data and the alarm rules through actions, scoped to the account; the send
// actions count their monitor items (WEB/API 发信成功, 额度超限, 无效地址, 长度超限).
#include "action_fixture.hpp"

#include "mailpush/openapi/openapi.hpp"

namespace mailpush::openapi {
namespace {

class MonitorActionsTest : public test::ActionFixture {
protected:
    MonitorActionsTest()
        : ActionFixture("mailpush-monitor-actions") {}
    void SetUp() override {
        open();
        store->add_account("acc");
        store->add_account("other");
    }
    std::map<std::string, std::string> rule_params() {
        return {{"RuleName", "失败过多"},    {"Item", "smtp_auth_failed"}, {"Period", "5"},
                {"Statistics", "Sum"},       {"Threshold", "12"},          {"ConsecutiveTimes", "2"},
                {"EffectiveStart", "08:00"}, {"EffectiveEnd", "20:30"}};
    }
};

TEST_F(MonitorActionsTest, DataIsBucketedPerMinuteWithEveryPointAndOnlyTheAccountsOwn) {
    const std::int64_t now_ms = now * 1000;
    const std::int64_t minute = now_ms / store::kMinuteMs * store::kMinuteMs;
    store->monitor().add("acc", store::MonitorItem::api_success, minute - 2 * store::kMinuteMs, 4);
    store->monitor().add("acc", store::MonitorItem::api_success, minute, 1); // not written yet
    store->flush_monitor(now_ms);
    store->monitor().add("acc", store::MonitorItem::api_success, minute, 2);
    store->monitor().add("other", store::MonitorItem::api_success, minute, 50);
    const auto reply = run("QueryMonitorData", {{"Item", "api_success"},
                                                {"StartTime", std::to_string(minute - 5 * store::kMinuteMs)},
                                                {"EndTime", std::to_string(minute + store::kMinuteMs)}});
    EXPECT_EQ(reply["Period"], 1);
    EXPECT_EQ(reply["Unit"], "Count/Min");
    const auto& points = reply["Points"]["Point"];
    ASSERT_EQ(points.size(), 6u);
    EXPECT_EQ(points[3]["Time"], minute - 2 * store::kMinuteMs);
    EXPECT_EQ(points[3]["Sum"], 4);
    EXPECT_EQ(points[4]["Sum"], 0);
    EXPECT_EQ(points[5]["Sum"], 3); // written and pending together
    const auto five = run("QueryMonitorData", {{"Item", "api_success"},
                                               {"StartTime", std::to_string(minute - 10 * store::kMinuteMs)},
                                               {"EndTime", std::to_string(minute + store::kMinuteMs)},
                                               {"Period", "5"}});
    std::int64_t total = 0;
    for (const auto& p : five["Points"]["Point"])
        total += p["Sum"].get<std::int64_t>();
    EXPECT_EQ(total, 7);
    // A day chooses its own period: at most 1440 points.
    const auto day = run("QueryMonitorData", {{"Item", "api_success"},
                                              {"StartTime", std::to_string(minute - 86'400'000)},
                                              {"EndTime", std::to_string(minute)}});
    EXPECT_EQ(day["Period"], 1);
    const auto longer = run("QueryMonitorData", {{"Item", "api_success"},
                                                 {"StartTime", std::to_string(minute - 86'400'000)},
                                                 {"EndTime", std::to_string(minute + 1)}});
    EXPECT_EQ(longer["Period"], 5); // 1441 one-minute points would be one too many
    const auto week = run("QueryMonitorData", {{"Item", "api_success"},
                                               {"StartTime", std::to_string(now_ms - 7 * 86'400'000LL)}});
    EXPECT_EQ(week["Period"], 15);
    EXPECT_LE(week["Points"]["Point"].size(), 1440u);
}

TEST_F(MonitorActionsTest, BadDataQueriesAreRefusedNamingWhatIsWrong) {
    const std::int64_t now_ms = now * 1000;
    auto message = [&](std::map<std::string, std::string> p) -> std::string {
        try {
            run("QueryMonitorData", p);
        } catch (const ApiError& e) {
            return e.code + ": " + e.message;
        }
        return "";
    };
    EXPECT_EQ(message({}).rfind("MissingParameter", 0), 0u);
    EXPECT_NE(message({{"Item", "nope"}}).find("Item must be one of: api_error_length"), std::string::npos);
    EXPECT_NE(message({{"Item", "api_success"}, {"StartTime", std::to_string(now_ms - 15 * 86'400'000LL)}})
                  .find("14 days"),
              std::string::npos);
    EXPECT_NE(message({{"Item", "api_success"},
                       {"StartTime", std::to_string(now_ms - 32 * 86'400'000LL)},
                       {"EndTime", std::to_string(now_ms - 31 * 86'400'000LL)}})
                  .find("31 days"),
              std::string::npos);
    EXPECT_NE(message({{"Item", "api_success"}, {"Period", "7"}}).find("Period must be"), std::string::npos);
    EXPECT_NE(message({{"Item", "api_success"},
                       {"StartTime", std::to_string(now_ms)},
                       {"EndTime", std::to_string(now_ms - 1)}})
                  .find("after StartTime"),
              std::string::npos);
    EXPECT_NE(message({{"Item", "api_success"},
                       {"StartTime", std::to_string(now_ms - 2 * 86'400'000LL)},
                       {"Period", "1"}})
                  .find("1440 points"),
              std::string::npos);
}

TEST_F(MonitorActionsTest, RulesAreCreatedListedModifiedAndDeletedAsTheAccountsOwn) {
    const auto created = run("CreateAlarmRule", rule_params());
    EXPECT_EQ(created["RuleName"], "失败过多");
    EXPECT_EQ(created["Item"], "smtp_auth_failed");
    EXPECT_EQ(created["Period"], 5);
    EXPECT_EQ(created["Statistics"], "Sum");
    EXPECT_EQ(created["ComparisonOperator"], ">=");
    EXPECT_EQ(created["Threshold"], 12.0);
    EXPECT_EQ(created["ConsecutiveTimes"], 2);
    EXPECT_EQ(created["EffectiveStart"], "08:00");
    EXPECT_EQ(created["EffectiveEnd"], "20:30");
    EXPECT_EQ(created["Enabled"], true);
    EXPECT_EQ(created["State"], "INSUFFICIENT_DATA");
    const auto id = std::to_string(created["RuleId"].get<std::int64_t>());

    store->set_notify_target("acc", "", "queue", {}, "");
    const auto listed = run("QueryAlarmRules", {});
    EXPECT_EQ(listed["TotalCount"], 1);
    EXPECT_EQ(listed["NotifyTarget"], "queue");
    EXPECT_EQ(run("QueryAlarmRules", {}, "other")["TotalCount"], 0);

    const auto modified =
        run("ModifyAlarmRule", {{"RuleId", id}, {"Threshold", "0.5"}, {"Enabled", "false"}});
    EXPECT_EQ(modified["Threshold"], 0.5);
    EXPECT_EQ(modified["Enabled"], false);
    EXPECT_EQ(modified["RuleName"], "失败过多"); // kept

    // Another account's rule does not exist for it, and stays as it was.
    EXPECT_EQ(code_of("ModifyAlarmRule", {{"RuleId", id}, {"Threshold", "1"}}, "other"),
              "InvalidAlarmRule.NotFound");
    EXPECT_EQ(code_of("DeleteAlarmRule", {{"RuleId", id}}, "other"), "InvalidAlarmRule.NotFound");
    EXPECT_EQ(store->get_alarm_rule("acc", std::stoll(id)).spec.threshold, 0.5);

    // A parameter named but empty is refused, not taken as its default.
    EXPECT_EQ(code_of("ModifyAlarmRule", {{"RuleId", id}, {"Period", ""}}), "InvalidParameter");
    EXPECT_EQ(store->get_alarm_rule("acc", std::stoll(id)).spec.period_minutes, 5);
    // A rename keeps the state, the progress and the version; another change starts the rule again.
    store::AlarmProgress evaluated;
    evaluated.state = store::AlarmState::alarm;
    evaluated.streak = 2;
    evaluated.evaluated_until_ms = 123 * store::kMinuteMs;
    const auto before = store->get_alarm_rule("acc", std::stoll(id));
    ASSERT_TRUE(store->save_alarm_progress(before.id, before.version, evaluated));
    EXPECT_EQ(run("ModifyAlarmRule", {{"RuleId", id}, {"RuleName", "renamed"}})["State"], "ALARM");
    const auto renamed = store->get_alarm_rule("acc", std::stoll(id));
    EXPECT_EQ(renamed.version, before.version);
    EXPECT_EQ(renamed.progress.evaluated_until_ms, 123 * store::kMinuteMs);
    EXPECT_EQ(run("ModifyAlarmRule", {{"RuleId", id}, {"Threshold", "7"}})["State"], "INSUFFICIENT_DATA");
    const auto changed = store->get_alarm_rule("acc", std::stoll(id));
    EXPECT_GT(changed.version, before.version);
    EXPECT_FALSE(store->save_alarm_progress(changed.id, before.version, evaluated)); // a stale evaluation
    // With the account's notifications off nobody gets the alarms.
    store->set_events_enabled("acc", false);
    EXPECT_EQ(run("QueryAlarmRules", {})["NotifyTarget"], "");

    run("DeleteAlarmRule", {{"RuleId", id}});
    EXPECT_EQ(run("QueryAlarmRules", {})["TotalCount"], 0);
    EXPECT_EQ(code_of("DeleteAlarmRule", {{"RuleId", id}}), "InvalidAlarmRule.NotFound");
}

TEST_F(MonitorActionsTest, BadRulesAreRefusedAndNothingIsStored) {
    for (const auto& [key, value] :
         std::vector<std::pair<std::string, std::string>>{{"Item", "smtp_nope"},
                                                          {"Period", "7"},
                                                          {"Statistics", "Median"},
                                                          {"ComparisonOperator", "=>"},
                                                          {"Threshold", "12abc"},
                                                          {"Threshold", "-1"},
                                                          {"ConsecutiveTimes", "0"},
                                                          {"EffectiveStart", "25:00"},
                                                          {"Enabled", "yes"},
                                                          {"RuleName", std::string(65, 'x')}}) {
        auto p = rule_params();
        p[key] = value;
        EXPECT_EQ(code_of("CreateAlarmRule", p), "InvalidParameter") << key << "=" << value;
    }
    auto p = rule_params();
    p.erase("Threshold");
    EXPECT_EQ(code_of("CreateAlarmRule", p), "MissingParameter");
    EXPECT_TRUE(store->list_alarm_rules("acc").empty());
    for (int i = 0; i < 50; ++i)
        run("CreateAlarmRule", rule_params());
    EXPECT_THROW(run("CreateAlarmRule", rule_params()), store::StoreError); // conflict: 409
    EXPECT_EQ(store->list_alarm_rules("acc").size(), 50u);
    store->remove_account("acc"); // its rules go with it
    EXPECT_TRUE(store->list_alarm_rules("").empty());
}

} // namespace
} // namespace mailpush::openapi

namespace mailpush::openapi {
namespace {

// Through OpenApi::call_as, as the console and the signed API reach the actions.
class MonitorCountsTest : public test::ActionFixture {
protected:
    MonitorCountsTest()
        : ActionFixture("mailpush-monitor-counts") {}
    void SetUp() override {
        options.require_verified_domain = false;
        options.max_message_bytes = 4000;
        backends.submit = [](smtp::Envelope, std::string, std::string, OpenApiBackends::Done done) {
            done(1);
        };
        open();
        store->add_account("acc");
        store->add_domain("acc", "x.example", store::DkimOptions{1024, false});
        store->add_address("acc", "s@x.example", "trigger");
    }
    std::int64_t counted(store::MonitorItem item) {
        std::int64_t n = 0;
        for (const auto& c : store->monitor().pending("acc"))
            if (c.item == item) n += c.count;
        return n;
    }
};

TEST_F(MonitorCountsTest, SendsAndTheirRefusalsCountTheirItems) {
    OpenApi api(*store, options, backends);
    auto send_mail = [&](const std::string& to, const std::string& body) {
        return api
            .call_as("acc", "SingleSendMail",
                     {{"AccountName", "s@x.example"},
                      {"AddressType", "1"},
                      {"ReplyToAddress", "false"},
                      {"ToAddress", to},
                      {"Subject", "hi"},
                      {"TextBody", body}},
                     origin, now)
            .status;
    };
    EXPECT_EQ(send_mail("r@y.example", "hello"), 200u);
    EXPECT_EQ(counted(store::MonitorItem::api_success), 1);
    store->add_invalid("acc", "gone@y.example", "SmtpNxBox");
    EXPECT_EQ(send_mail("gone@y.example", "hello"), 400u); // InvalidToAddress.Spam
    EXPECT_EQ(counted(store::MonitorItem::api_error_invalid), 1);
    EXPECT_EQ(send_mail("r@y.example", std::string(5000, 'a')), 400u); // over max_message_bytes
    EXPECT_EQ(counted(store::MonitorItem::api_error_length), 1);
    store->set_account_quota("acc", 1, std::nullopt);
    EXPECT_EQ(send_mail("r@y.example", "hello"), 400u); // QuotaExceeded.Daily
    EXPECT_EQ(counted(store::MonitorItem::api_error_quota), 1);
    EXPECT_EQ(send_mail("not an address", "hello"), 400u); // a refusal with no monitor item
    EXPECT_EQ(api.call_as("acc", "QueryTagByParam", {}, origin, now).status, 200u); // not a send
    EXPECT_EQ(counted(store::MonitorItem::api_success), 1);
    std::int64_t all = 0;
    for (const auto& c : store->monitor().pending("acc"))
        all += c.count;
    EXPECT_EQ(all, 4);
}

} // namespace
} // namespace mailpush::openapi
