// The traffic rules on the OpenAPI side, over a real store and a fake spool: the send service
// skipping fatigue-blocked recipients and refusing over the submission rate, and the
// ListBlockSending / UnblockSending actions' parameters, paging and errors.
#include "action_fixture.hpp"

#include "mailpush/store/store.hpp"

#include <gtest/gtest.h>

#include <ctime>

namespace mailpush::openapi {
namespace {
using std::chrono::seconds;
const std::string kSender = "s@shop.example";

class TrafficActionsTest : public test::ActionFixture {
protected:
    TrafficActionsTest()
        : ActionFixture("mailpush-traffic-api") {}
    std::uint64_t next_envid = 1;

    void SetUp() override {
        options.require_verified_domain = false;
        backends.submit = [this](smtp::Envelope, std::string, std::string, OpenApiBackends::Done done) {
            done(next_envid++);
        };
        open([](store::StoreLimits& limits) { limits.traffic = {2, seconds{60}, 1, seconds{3600}}; });
        store->add_account("acc");
        store->add_domain("acc", "shop.example", store::DkimOptions{1024, false});
        store->add_address("acc", kSender, "trigger");
    }

    SingleResult single(const std::string& to) {
        SingleSend s;
        s.account = "acc";
        s.sender = kSender;
        s.to = to;
        s.subject = "hi";
        s.text_body = "hello";
        return send->single(s, origin, now);
    }

    static std::string code_of(const std::function<void()>& f) {
        try {
            f();
        } catch (const ApiError& e) {
            return e.code;
        }
        return "";
    }
};

TEST_F(TrafficActionsTest, SingleSendSkipsBlockedRecipientsAndRefusesWhenNoneIsLeft) {
    EXPECT_TRUE(single("bob@x.example").blocked.empty()); // bob: 1 of 1
    // The (limit+1)th is skipped and listed; carol goes.
    store->set_traffic_overrides("acc", {{"submission_rate", 0}});
    const auto r = single("bob@x.example,carol@x.example");
    EXPECT_EQ(r.blocked, std::vector<std::string>{"bob@x.example"});
    EXPECT_NE(r.envid, 0u);
    EXPECT_EQ(code_of([&] { single("bob@x.example"); }), "InvalidToAddress.Blocked");
    EXPECT_EQ(code_of([&] { single("Carol@x.example"); }), "InvalidToAddress.Blocked");
    EXPECT_EQ(store->list_blocks("acc", {}, now).size(), 2u);
}

TEST_F(TrafficActionsTest, SubmissionRateRefusesWithThrottlingAndCountsNothingRefused) {
    single("a@x.example");
    // A send refused for another reason takes no slot.
    EXPECT_EQ(code_of([&] { single("a@x.example"); }), "InvalidToAddress.Blocked"); // fatigue
    single("b@x.example");                                                          // the second slot
    EXPECT_EQ(code_of([&] { single("c@x.example"); }), "Throttling.User");
    EXPECT_EQ(next_envid, 3u); // nothing stored for the refused ones
    EXPECT_EQ(store->usage("acc", now).day_used, 2);
    // The account's override turns the rule off.
    store->set_traffic_overrides("acc", {{"submission_rate", 0}});
    EXPECT_TRUE(single("c@x.example").blocked.empty());
}

TEST_F(TrafficActionsTest, ListBlockSendingPagesAndRefusesBadParameters) {
    store->set_traffic_overrides("acc", {{"submission_rate", 0}});
    for (const char* r : {"r1@x.example", "r2@x.example", "r3@x.example"}) {
        single(r);
        EXPECT_EQ(code_of([&] { single(r); }), "InvalidToAddress.Blocked");
    }
    auto page = run("ListBlockSending", {{"BlockType", "FREQ"}, {"MaxResults", "2"}});
    ASSERT_EQ(page["Data"].size(), 2u);
    EXPECT_EQ(page["MaxResults"], 2);
    EXPECT_EQ(page["Data"][0]["SenderEmail"], kSender);
    EXPECT_EQ(page["Data"][0]["Reason"], 3);
    const std::string token = page["NextToken"];
    ASSERT_FALSE(token.empty());
    auto rest = run("ListBlockSending", {{"BlockType", "FREQ"}, {"MaxResults", "2"}, {"NextToken", token}});
    ASSERT_EQ(rest["Data"].size(), 1u);
    EXPECT_EQ(rest["NextToken"], "");
    EXPECT_EQ(run("ListBlockSending", {})["Data"].size(), 3u); // no BlockType: all
    EXPECT_EQ(run("ListBlockSending", {{"BlockType", "UNSUB"}})["Data"].size(), 0u);
    EXPECT_EQ(run("ListBlockSending", {{"BlockEmail", "R2@x.example"}})["Data"].size(), 1u);

    EXPECT_EQ(code_of([&] { run("ListBlockSending", {{"MaxResults", "0"}}); }), "InvalidParameter");
    EXPECT_EQ(code_of([&] { run("ListBlockSending", {{"MaxResults", "501"}}); }), "InvalidParameter");
    EXPECT_EQ(code_of([&] {
                  run("ListBlockSending", {{"BlockType", "unsub"}});
              }),
              "InvalidBlockType.Malformed");
    EXPECT_EQ(code_of([&] {
                  run("ListBlockSending", {{"NextToken", token + "x"}});
              }),
              "InvalidNextToken.Malformed");
    EXPECT_EQ(code_of([&] {
                  run("ListBlockSending", {{"BeginTime", "10"}, {"EndTime", "5"}});
              }),
              "InvalidParameter");

    const std::map<std::string, std::string> unblock{
        {"BlockEmail", "r1@x.example"}, {"BlockType", "FREQ"}, {"SenderEmail", kSender}};
    for (const auto& [name, value] : unblock) {
        auto missing = unblock;
        missing.erase(name);
        EXPECT_EQ(code_of([&] { run("UnblockSending", missing); }), "MissingParameter") << name;
    }
    run("UnblockSending", unblock);
    EXPECT_EQ(code_of([&] { run("UnblockSending", unblock); }), "InvalidBlock.NotFound");
    EXPECT_TRUE(single("r1@x.example").blocked.empty()); // sendable again
}

} // namespace
} // namespace mailpush::openapi
