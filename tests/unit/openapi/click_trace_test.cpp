// ClickTrace on the OpenAPI side, over a real store and a fake spool: refused with
// InvalidClickTrace.NotVerified (nothing stored) while the sender's domain has no verified
// tracking record and the config requires one; accepted and carried on the envelope once it
// verified or when the config does not require it; a value other than 0/1 refused.
#include "action_fixture.hpp"

#include "mailpush/store/store.hpp"

#include <gtest/gtest.h>

#include <ctime>

namespace mailpush::openapi {
namespace {
const std::string kSender = "s@shop.example";

class ClickTraceTest : public test::ActionFixture {
protected:
    ClickTraceTest()
        : ActionFixture("mailpush-click-trace") {}
    std::vector<smtp::Envelope> stored;

    void open(bool require_cname) {
        options.require_verified_domain = false;
        backends.submit = [this](smtp::Envelope env, std::string, std::string, OpenApiBackends::Done done) {
            stored.push_back(std::move(env));
            done(stored.size());
        };
        ActionFixture::open(
            [&](store::StoreLimits& limits) { limits.tracking_requires_cname = require_cname; });
        store->add_account("acc");
        store->add_domain("acc", "shop.example", store::DkimOptions{1024, false});
        store->add_address("acc", kSender, "trigger");
    }

    nlohmann::json run(const std::map<std::string, std::string>& extra) {
        std::map<std::string, std::string> params{{"AccountName", kSender},
                                                  {"ToAddress", "bob@x.example,carol@x.example"},
                                                  {"Subject", "hi"},
                                                  {"HtmlBody", "<p>hello</p>"}};
        params.insert(extra.begin(), extra.end());
        return ActionFixture::run("SingleSendMail", params);
    }

    std::string code_of(const std::map<std::string, std::string>& extra) {
        try {
            run(extra);
        } catch (const ApiError& e) {
            return e.code;
        }
        return "";
    }
};

TEST_F(ClickTraceTest, RefusedUntilTheTrackingRecordVerifiedWhenRequired) {
    open(true);
    EXPECT_EQ(code_of({{"ClickTrace", "1"}}), "InvalidClickTrace.NotVerified");
    EXPECT_TRUE(stored.empty()); // nothing stored
    EXPECT_EQ(code_of({{"ClickTrace", "0"}}), "");
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_FALSE(stored[0].track_opens);
    EXPECT_FALSE(stored[0].track_links);

    store->record_domain_checks("shop.example", {{"tracking", "CNAME", "dmtrace.shop.example",
                                                  "tracedm.localhost", "ok", "tracedm.localhost", ""}});
    EXPECT_EQ(code_of({{"ClickTrace", "1"}}), "");
    ASSERT_EQ(stored.size(), 2u);
    EXPECT_TRUE(stored[1].track_opens);
    EXPECT_TRUE(stored[1].track_links);
    EXPECT_EQ(stored[1].recipients.size(), 2u); // one message; delivery splits it per recipient
}

TEST_F(ClickTraceTest, AcceptedFromAnyDomainWhenNotRequired) {
    open(false);
    EXPECT_EQ(code_of({{"ClickTrace", "1"}}), "");
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_TRUE(stored[0].track_opens);
    EXPECT_TRUE(stored[0].track_links);
}

TEST_F(ClickTraceTest, ValuesOtherThanZeroOrOneAreInvalidParameters) {
    open(false);
    for (const char* bad : {"true", "2", "", " 1", "yes"}) {
        SCOPED_TRACE(bad);
        EXPECT_EQ(code_of({{"ClickTrace", bad}}), "InvalidParameter");
    }
    EXPECT_TRUE(stored.empty());
}

} // namespace
} // namespace mailpush::openapi
