// CheckReplyToMailAddress and ApproveReplyMailAddress: the confirmation mail sent again (once per
// 10 minutes, in the language asked), and a reply-to confirmed with its ticket, for an address of
// the caller's account only.
#include "action_fixture.hpp"

#include "mailpush/common/base64.hpp"

#include <regex>

namespace mailpush::openapi {
namespace {

class ReplyToActionsTest : public test::ActionFixture {
protected:
    ReplyToActionsTest()
        : ActionFixture("mailpush-reply-to-api") {}
    std::vector<std::string> mails; // every system mail's message, in order
    std::uint64_t next_envid = 1;

    void SetUp() override {
        options.public_url = "https://mp.test";
        backends.submit = [this](smtp::Envelope, std::string body, std::string, OpenApiBackends::Done done) {
            mails.push_back(text_of(body));
            done(next_envid++);
        };
        open();
        for (const auto& [account, domain] :
             {std::pair{"acc", "x.example"}, std::pair{"other", "y.example"}}) {
            store->add_account(account);
            store->add_domain(account, domain, store::DkimOptions{1024, false});
        }
        store->add_address("acc", "s@x.example", "trigger");
        store->add_address("other", "o@y.example", "trigger");
    }

    // The action's ApiError code, or the kind of the store's refusal.
    std::string refusal(const char* action, const std::map<std::string, std::string>& params,
                        const std::string& account = "acc") {
        try {
            return code_of(action, params, account);
        } catch (const store::StoreError& e) {
            return e.kind() == store::ErrorKind::limit       ? "store:limit"
                   : e.kind() == store::ErrorKind::not_found ? "store:not_found"
                                                             : "store:other";
        }
    }
    // The text of a built message: its body part is base64 (docs/openapi.md, message building).
    static std::string text_of(const std::string& message) {
        const auto at = message.find("Content-Transfer-Encoding: base64\r\n\r\n");
        if (at == std::string::npos) return message;
        const auto start = at + std::string("Content-Transfer-Encoding: base64\r\n\r\n").size();
        std::string encoded;
        for (auto i = start; i < message.size() && message[i] != '-'; ++i)
            if (message[i] != '\r' && message[i] != '\n') encoded.push_back(message[i]);
        return common::base64_decode(encoded).value_or(message);
    }
    std::string id() const { return std::to_string(store->get_address("s@x.example").id); }
    static std::string ticket_in(const std::string& mail) {
        std::smatch m;
        EXPECT_TRUE(std::regex_search(mail, m, std::regex("token=(\\w+)")));
        return m[1];
    }
};

TEST_F(ReplyToActionsTest, TheConfirmationMailIsSentAgainOncePer10MinutesInTheLanguageAsked) {
    EXPECT_EQ(refusal("CheckReplyToMailAddress", {{"MailAddressId", id()}}), "InvalidReplyAddress.NotSet");
    run("ModifyMailAddress", {{"MailAddressId", id()}, {"ReplyAddress", "help@x.example"}});
    ASSERT_EQ(mails.size(), 1u);
    EXPECT_EQ(refusal("CheckReplyToMailAddress", {{"MailAddressId", id()}}), "store:limit"); // within 10 min
    now += 601;
    EXPECT_EQ(refusal("CheckReplyToMailAddress", {{"MailAddressId", id()}, {"Lang", "fr"}}),
              "InvalidParameter");
    EXPECT_EQ(refusal("CheckReplyToMailAddress", {{"MailAddressId", id()}, {"Region", "cn-beijing"}}),
              "InvalidParameter");
    EXPECT_EQ(mails.size(), 1u); // refused before anything was sent
    run("CheckReplyToMailAddress", {{"MailAddressId", id()}, {"Lang", "zh-CN"}, {"Region", "cn-hangzhou"}});
    ASSERT_EQ(mails.size(), 2u);
    EXPECT_NE(mails[1].find("确认"), std::string::npos);
    EXPECT_NE(ticket_in(mails[1]), ticket_in(mails[0]));
    // The first mail's ticket no longer confirms; the new one does.
    EXPECT_EQ(refusal("ApproveReplyMailAddress", {{"Ticket", ticket_in(mails[0])}}), "store:not_found");
    run("ApproveReplyMailAddress", {{"Ticket", ticket_in(mails[1])}});
    EXPECT_EQ(store->get_address("s@x.example").reply_to_status, "verified");
    EXPECT_EQ(refusal("CheckReplyToMailAddress", {{"MailAddressId", id()}}),
              "InvalidReplyAddress.AlreadyVerified");
}

TEST_F(ReplyToActionsTest, AnotherAccountsTicketConfirmsNothing) {
    run("ModifyMailAddress", {{"MailAddressId", id()}, {"ReplyAddress", "help@x.example"}});
    const auto ticket = ticket_in(mails.at(0));
    EXPECT_EQ(refusal("ApproveReplyMailAddress", {{"Ticket", ticket}}, "other"), "store:not_found");
    EXPECT_EQ(store->get_address("s@x.example").reply_to_status, "pending");
    EXPECT_EQ(refusal("ApproveReplyMailAddress", {}), "MissingParameter");
    EXPECT_EQ(refusal("CheckReplyToMailAddress", {{"MailAddressId", id()}}, "other"),
              "InvalidMailAddress.NotFound");
    run("ApproveReplyMailAddress", {{"Ticket", ticket}});
    EXPECT_EQ(store->get_address("s@x.example").reply_to_status, "verified");
    EXPECT_EQ(refusal("ApproveReplyMailAddress", {{"Ticket", ticket}}), "store:not_found"); // used
}

} // namespace
} // namespace mailpush::openapi
