// GetUser and UpdateUser (the account's event notifications), and SendTestByTemplate: a
// template rendered with the given values (and TemplateParams) sent to one address whatever its
// review state, through SingleSendMail's checks; another account's template is not found.
#include "action_fixture.hpp"

#include "mailpush/common/base64.hpp"

namespace mailpush::openapi {
namespace {

class UserActionsTest : public test::ActionFixture {
protected:
    UserActionsTest()
        : ActionFixture("mailpush-user-actions") {}
    struct Sent {
        smtp::Envelope env;
        std::string message;
    };
    std::vector<Sent> sent;

    void SetUp() override {
        options.require_verified_domain = false;
        backends.submit = [this](smtp::Envelope env, std::string body, std::string,
                                 OpenApiBackends::Done done) {
            sent.push_back({std::move(env), std::move(body)});
            done(sent.size());
        };
        open();
        for (const auto& [account, domain] :
             {std::pair{"acc", "x.example"}, std::pair{"other", "y.example"}}) {
            store->add_account(account);
            store->add_domain(account, domain, store::DkimOptions{1024, false});
        }
        store->add_address("acc", "s@x.example", "trigger");
        store->add_template(
            "acc", {"welcome", "Hi {UserName}", "<p>{NickName} is {age} ({Gender})</p>", "Shop", "html"});
        store->add_template("other", {"theirs", "x", "y", "", "text"});
    }
    std::string id_of(const std::string& account, const std::string& name) {
        return std::to_string(store->get_template(account, name).id);
    }
    static std::string decoded_body(const std::string& message) {
        const std::string mark = "Content-Transfer-Encoding: base64\r\n\r\n";
        const auto at = message.find(mark);
        std::string encoded;
        for (auto i = at + mark.size(); i < message.size(); ++i)
            if (message[i] != '\r' && message[i] != '\n') encoded.push_back(message[i]);
        return common::base64_decode(encoded).value_or("");
    }
};

TEST_F(UserActionsTest, EventNotificationsAreOnUntilUpdateUserSwitchesThemOff) {
    EXPECT_EQ(run("GetUser", {})["Data"]["EnableEventbridge"], true);
    EXPECT_EQ(run("UpdateUser", {{"User", R"({"EnableEventbridge":false})"}}), nlohmann::json::object());
    EXPECT_EQ(run("GetUser", {})["Data"]["EnableEventbridge"], false);
    EXPECT_FALSE(store->directory()->account("acc")->events_enabled);
    EXPECT_TRUE(store->directory()->account("other")->events_enabled); // only the caller's account
    run("UpdateUser", {{"User", R"({"EnableEventbridge":true})"}});
    EXPECT_TRUE(store->get_account("acc").events_enabled);
}

TEST_F(UserActionsTest, UpdateUserRefusesWhatItCannotApplyAndChangesNothing) {
    EXPECT_EQ(code_of("UpdateUser", {}), "MissingParameter");
    EXPECT_EQ(code_of("UpdateUser", {{"User", "not json"}}), "InvalidParameter");
    EXPECT_EQ(code_of("UpdateUser", {{"User", "{}"}}), "InvalidParameter");
    EXPECT_EQ(code_of("UpdateUser", {{"User", R"({"EnableEventbridge":"no"})"}}), "InvalidParameter");
    EXPECT_EQ(code_of("UpdateUser", {{"User", R"({"EnableEventbridge":false,"Other":1})"}}),
              "InvalidParameter.Unsupported");
    EXPECT_TRUE(store->get_account("acc").events_enabled);
}

TEST_F(UserActionsTest, TestSendRendersTheDraftTemplateForOneRecipient) {
    ASSERT_EQ(store->get_template("acc", "welcome").status, "draft");
    run("SendTestByTemplate", {{"TemplateId", id_of("acc", "welcome")},
                               {"AccountName", "s@x.example"},
                               {"Email", "bob@example.org"},
                               {"UserName", "Bob"},
                               {"NickName", "bobby"},
                               {"Gender", "m"},
                               {"TemplateParams", R"({"age":"20"})"}});
    ASSERT_EQ(sent.size(), 1u);
    ASSERT_EQ(sent[0].env.recipients.size(), 1u);
    EXPECT_EQ(sent[0].env.recipients[0].address, "bob@example.org");
    EXPECT_NE(sent[0].message.find("Subject: Hi Bob\r\n"), std::string::npos);
    EXPECT_NE(sent[0].message.find("From: \"Shop\" <s@x.example>"), std::string::npos);
    EXPECT_EQ(decoded_body(sent[0].message), "<p>bobby is 20 (m)</p>");
    EXPECT_EQ(store->usage("acc", now).day_used, 1); // a test send counts against the quota
}

TEST_F(UserActionsTest, TestSendRefusals) {
    const auto id = id_of("acc", "welcome");
    const std::map<std::string, std::string> base{
        {"TemplateId", id}, {"AccountName", "s@x.example"}, {"Email", "bob@example.org"}};
    auto with = [&](std::string key, std::string value) {
        auto p = base;
        p[key] = value;
        return p;
    };
    EXPECT_EQ(code_of("SendTestByTemplate", with("TemplateId", id_of("other", "theirs"))),
              "InvalidTemplate.NotFound");
    EXPECT_EQ(code_of("SendTestByTemplate", with("TemplateId", "x")), "InvalidParameter");
    EXPECT_EQ(code_of("SendTestByTemplate", with("Email", "a@example.org,b@example.org")),
              "InvalidToAddress");
    EXPECT_EQ(code_of("SendTestByTemplate", with("UserName", std::string(31, 'u'))), "InvalidParameter");
    EXPECT_EQ(code_of("SendTestByTemplate", with("TemplateParams", "[1]")), "InvalidParameter");
    EXPECT_EQ(code_of("SendTestByTemplate", with("TemplateParams", R"({"a":1})")), "InvalidParameter");
    EXPECT_EQ(code_of("SendTestByTemplate", with("TemplateParams", R"({"a b":"1"})")), "InvalidParameter");
    EXPECT_NE(code_of("SendTestByTemplate", with("AccountName", "o@y.example")), "");
    auto missing = base;
    missing.erase("Email");
    EXPECT_EQ(code_of("SendTestByTemplate", missing), "MissingParameter");
    EXPECT_TRUE(sent.empty());
    store->set_account_status("acc", "suspended");
    EXPECT_NE(code_of("SendTestByTemplate", base), "");
    EXPECT_TRUE(sent.empty());
}

} // namespace
} // namespace mailpush::openapi
