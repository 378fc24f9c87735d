// Shared fixture for ServerSession transcript tests: a policy answered from sets, and helpers
// that feed input and capture the wire output.
#pragma once

#include "mailpush/common/base64.hpp"
#include "mailpush/smtp/server_session.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace mailpush::smtp::test {

struct FakePolicy : SessionPolicy {
    std::set<std::string> invalid;
    std::set<std::string> local;         // inbound: local recipients
    std::set<std::string> local_domains; // inbound: other addresses here are unknown mailboxes
    bool storage_low = false;
    std::optional<Reply> check_mail(const Envelope&) override {
        if (storage_low) return replies::storage_low();
        return std::nullopt;
    }
    std::optional<Reply> check_rcpt(const Envelope&, std::string_view rcpt) override {
        if (invalid.count(std::string(rcpt))) return replies::invalid_rcptto();
        return std::nullopt;
    }
    InboundRecipient inbound_recipient(std::string_view rcpt) override {
        if (local.count(std::string(rcpt))) return InboundRecipient::local;
        const auto at = rcpt.rfind('@');
        if (at != std::string_view::npos && local_domains.count(std::string(rcpt.substr(at + 1))))
            return InboundRecipient::unknown_mailbox;
        return InboundRecipient::foreign;
    }
};

inline std::string plain_ir(const std::string& user, const std::string& pass) {
    return common::base64_encode(std::string("\0", 1) + user + std::string("\0", 1) + pass);
}

class SessionTest : public ::testing::Test {
protected:
    FakePolicy policy;
    SessionLimits limits = [] {
        SessionLimits l;
        l.hostname = "mx.test";
        l.max_message_bytes = 1000;
        l.max_recipients = 30;
        l.starttls_available = true;
        return l;
    }();
    std::unique_ptr<ServerSession> session;
    Output last;

    void start(ReplyStyle style = ReplyStyle::directmail) {
        limits.style = style;
        session = std::make_unique<ServerSession>(limits, policy);
        last = session->on_connect();
    }
    std::string send(const std::string& bytes) {
        last = session->on_input(bytes);
        return last.wire;
    }
    // EHLO + AUTH PLAIN with a successful verdict.
    void login(const std::string& user = "sender@example.com") {
        send("EHLO client.test\r\n");
        send("AUTH PLAIN " + plain_ir(user, "Secret123ab") + "\r\n");
        EXPECT_EQ(last.action.kind, ActionKind::verify_credentials);
        last = session->on_auth_result(AuthVerdict::ok);
        EXPECT_EQ(last.wire, "235 Authentication successful\r\n");
    }
};

} // namespace mailpush::smtp::test
