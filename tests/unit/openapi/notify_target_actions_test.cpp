// Ours: an account sets, lists, tests and deletes its notification targets through actions, under
// the store's rules; the test goes to the target of the address asked; no other account's.
#include "action_fixture.hpp"

namespace mailpush::openapi {
namespace {

class NotifyTargetActionsTest : public test::ActionFixture {
protected:
    NotifyTargetActionsTest()
        : ActionFixture("mailpush-notify-actions") {}
    std::vector<store::NotifyTarget> tested;
    void SetUp() override {
        backends.test_notification = [this](const store::NotifyTarget& t) {
            tested.push_back(t);
            return notify::TestOutcome{true, 200, ""};
        };
        backends.notification_queue_size = [](const std::string& account) {
            return account == "acc" ? 3u : 0u;
        };
        open([](store::StoreLimits& l) { l.allow_private_notify_targets = true; });
        for (const auto& [account, domain] :
             {std::pair{"acc", "x.example"}, std::pair{"other", "y.example"}}) {
            store->add_account(account);
            store->add_domain(account, domain, store::DkimOptions{1024, false});
        }
        store->add_address("acc", "s@x.example", "trigger");
        store->set_notify_target("other", "", "queue", {}, "");
    }
};

TEST_F(NotifyTargetActionsTest, SetListTestAndDelete) {
    run("SetNotifyTarget", {{"Target", "https://hooks.example/mail"},
                            {"Events", "Deliver:SendFailed,Deliver:Click"},
                            {"Secret", "s3cret"}});
    run("SetNotifyTarget", {{"Address", "s@x.example"}, {"Target", "queue"}});
    const auto listed = run("QueryNotifyTargets", {});
    EXPECT_EQ(listed["QueueSize"], 3);
    ASSERT_EQ(listed["Targets"].size(), 2u);
    const auto& account_wide =
        listed["Targets"][0]["Address"] == "" ? listed["Targets"][0] : listed["Targets"][1];
    EXPECT_EQ(account_wide["Target"], "https://hooks.example/mail");
    EXPECT_EQ(account_wide["Events"], "Deliver:SendFailed,Deliver:Click");
    EXPECT_EQ(account_wide["Signed"], true);
    EXPECT_EQ(listed.dump().find("s3cret"), std::string::npos); // never shown
    const auto outcome = run("TestNotifyTarget", {{"Address", "s@x.example"}});
    EXPECT_EQ(outcome["Delivered"], true);
    ASSERT_EQ(tested.size(), 1u);
    EXPECT_EQ(tested[0].target, "queue");
    EXPECT_EQ(tested[0].account, "acc");
    run("DeleteNotifyTarget", {{"Address", "s@x.example"}});
    EXPECT_EQ(code_of("TestNotifyTarget", {{"Address", "s@x.example"}}), "InvalidParameter.NotFound");
    EXPECT_EQ(run("QueryNotifyTargets", {})["Targets"].size(), 1u);
}

TEST_F(NotifyTargetActionsTest, RefusalsChangeNothing) {
    EXPECT_THROW(run("SetNotifyTarget", {{"Target", "ftp://x.example/"}}), store::StoreError);
    EXPECT_THROW(run("SetNotifyTarget", {{"Target", "queue"}, {"Events", "Deliver:Nope"}}),
                 store::StoreError);
    EXPECT_THROW(run("SetNotifyTarget", {{"Address", "o@y.example"}, {"Target", "queue"}}),
                 store::StoreError);
    EXPECT_EQ(run("QueryNotifyTargets", {})["Targets"].size(), 0u); // the other account's is not listed
    EXPECT_EQ(code_of("DeleteNotifyTarget", {}), "InvalidParameter.NotFound");
    EXPECT_EQ(store->list_notify_targets("other").size(), 1u);
    EXPECT_TRUE(tested.empty());
}

} // namespace
} // namespace mailpush::openapi
