#include "mailpush/smtp/packed_envelope.hpp"

#include <gtest/gtest.h>

using namespace mailpush::smtp;

namespace {
Envelope sample() {
    Envelope e;
    e.mail_from = "news@mail.example.com";
    e.auth_user = "news@mail.example.com";
    e.recipients = {
        {"a@one.test", "", ""}, {"b@two.test", "SUCCESS,FAILURE", "rfc822;b@two.test"}, {"", "", ""}};
    e.body_type = "8BITMIME";
    e.smtputf8 = true;
    e.ret = "HDRS";
    e.dsn_envid = "QQ314159";
    e.declared_size = 123456;
    e.tls = true;
    e.helo = "client.example";
    e.unsubscribe = "mailfrom";
    e.track_opens = true;
    return e;
}

void expect_same(const Envelope& a, const Envelope& b) {
    EXPECT_EQ(a.mail_from, b.mail_from);
    EXPECT_EQ(a.auth_user, b.auth_user);
    ASSERT_EQ(a.recipients.size(), b.recipients.size());
    for (std::size_t i = 0; i < a.recipients.size(); ++i) {
        EXPECT_EQ(a.recipients[i].address, b.recipients[i].address) << i;
        EXPECT_EQ(a.recipients[i].notify, b.recipients[i].notify) << i;
        EXPECT_EQ(a.recipients[i].orcpt, b.recipients[i].orcpt) << i;
    }
    EXPECT_EQ(a.body_type, b.body_type);
    EXPECT_EQ(a.smtputf8, b.smtputf8);
    EXPECT_EQ(a.ret, b.ret);
    EXPECT_EQ(a.dsn_envid, b.dsn_envid);
    EXPECT_EQ(a.declared_size, b.declared_size);
    EXPECT_EQ(a.tls, b.tls);
    EXPECT_EQ(a.helo, b.helo);
    EXPECT_EQ(a.unsubscribe, b.unsubscribe);
    EXPECT_EQ(a.track_opens, b.track_opens);
    EXPECT_EQ(a.track_links, b.track_links);
}
} // namespace

TEST(PackedEnvelope, KeepsEveryField) {
    const auto e = sample();
    const PackedEnvelope p(e, "192.0.2.7");
    expect_same(p.unpack(), e);
    EXPECT_EQ(p.peer(), "192.0.2.7");
    EXPECT_EQ(p.recipient_count(), 3u);
    EXPECT_EQ(p.address(1), "b@two.test");
    EXPECT_EQ(p.notify(1), "SUCCESS,FAILURE");
    EXPECT_EQ(p.orcpt(1), "rfc822;b@two.test");
    EXPECT_EQ(p.address(2), "");
    EXPECT_TRUE(p.eight_bit());
    EXPECT_TRUE(p.per_recipient());
    EXPECT_FALSE(p.via_api());
}

TEST(PackedEnvelope, PlainRecipientsTakeOneFieldEach) {
    Envelope e;
    e.mail_from = "s@x.test";
    for (int i = 0; i < 5; ++i)
        e.recipients.push_back({"rcpt" + std::to_string(i) + "@y.test", "", ""});
    e.helo = std::string(kApiHelo);
    const PackedEnvelope p(e);
    expect_same(p.unpack(), e);
    EXPECT_TRUE(p.via_api());
    EXPECT_FALSE(p.eight_bit());
    EXPECT_FALSE(p.per_recipient());
    EXPECT_EQ(p.notify(3), "");
    // 8 fixed fields and one per recipient, 4 bytes each, then the characters.
    EXPECT_EQ(p.heap_bytes(), (8 + 5) * 4 + e.mail_from.size() + 4 + e.helo.size() + 5 * 12);
}

TEST(PackedEnvelope, EmptyEnvelope) {
    const PackedEnvelope p(Envelope{});
    EXPECT_EQ(p.recipient_count(), 0u);
    EXPECT_EQ(p.mail_from(), "");
    EXPECT_EQ(p.body_type(), "7BIT");
    expect_same(p.unpack(), Envelope{});
}
