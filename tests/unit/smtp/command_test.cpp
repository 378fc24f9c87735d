#include "mailpush/smtp/command.hpp"

#include <gtest/gtest.h>

namespace mailpush::smtp {

TEST(Command, VerbsAreCaseInsensitiveAndArgsTrimmed) {
    auto c = parse_command("ehlo   client.example  ");
    EXPECT_EQ(c.verb, Verb::ehlo);
    EXPECT_EQ(c.args, "client.example");
    EXPECT_EQ(parse_command("StartTLS").verb, Verb::starttls);
    EXPECT_EQ(parse_command("MAILX FROM:<a@b>").verb, Verb::unknown);
    EXPECT_EQ(parse_command("").verb, Verb::unknown);
}

TEST(Command, PathWithAndWithoutSpace) {
    auto r = parse_path_argument("FROM:<a@b.c>", "FROM");
    ASSERT_TRUE(r.value);
    EXPECT_EQ(r.value->address, "a@b.c");
    r = parse_path_argument("from: <a@b.c> size=10 SMTPUTF8", "FROM");
    ASSERT_TRUE(r.value);
    ASSERT_EQ(r.value->params.size(), 2u);
    EXPECT_EQ(r.value->params[0].keyword, "SIZE");
    EXPECT_EQ(*r.value->params[0].value, "10");
    EXPECT_FALSE(r.value->params[1].value);
}

TEST(Command, BareAddressAcceptedLikePostfix) {
    auto r = parse_path_argument("FROM:a@b.c SIZE=5", "FROM");
    ASSERT_TRUE(r.value);
    EXPECT_EQ(r.value->address, "a@b.c");
    ASSERT_EQ(r.value->params.size(), 1u);
    EXPECT_EQ(r.value->params[0].keyword, "SIZE");
}

TEST(Command, NullPathAndSourceRoute) {
    auto r = parse_path_argument("FROM:<>", "FROM");
    ASSERT_TRUE(r.value);
    EXPECT_EQ(r.value->address, "");
    r = parse_path_argument("TO:<@relay.x,@r2.y:user@d.z>", "TO");
    ASSERT_TRUE(r.value);
    EXPECT_EQ(r.value->address, "user@d.z");
}

TEST(Command, PathErrors) {
    EXPECT_FALSE(parse_path_argument("FROM a@b", "FROM").value);
    EXPECT_FALSE(parse_path_argument("FROM:", "FROM").value);
    EXPECT_FALSE(parse_path_argument("FROM:a<b", "FROM").value);
    EXPECT_FALSE(parse_path_argument("FROM:<a@b", "FROM").value);
    EXPECT_FALSE(parse_path_argument("FROM:<a@b>x", "FROM").value);
    EXPECT_FALSE(parse_path_argument("TO:<a@b>", "FROM").value);
    auto r = parse_path_argument("FROM:<a@b> =x", "FROM");
    EXPECT_FALSE(r.value);
    EXPECT_EQ(r.error, PathError::bad_param);
}

TEST(Command, QuotedLocalPartWithAngle) {
    auto r = parse_path_argument("TO:<\"a>b\"@x.y>", "TO");
    ASSERT_TRUE(r.value);
    EXPECT_EQ(r.value->address, "\"a>b\"@x.y");
    EXPECT_TRUE(is_valid_mailbox(r.value->address, false));
}

TEST(Command, MailboxValidation) {
    EXPECT_TRUE(is_valid_mailbox("a.b+c@ex-ample.com", false));
    EXPECT_TRUE(is_valid_mailbox("a@[127.0.0.1]", false));
    EXPECT_FALSE(is_valid_mailbox("a@", false));
    EXPECT_FALSE(is_valid_mailbox("@b.c", false));
    EXPECT_FALSE(is_valid_mailbox("a..b@c.d", false));
    EXPECT_FALSE(is_valid_mailbox("a@-b.c", false));
    EXPECT_FALSE(is_valid_mailbox("a b@c.d", false));
    EXPECT_FALSE(is_valid_mailbox(std::string(65, 'a') + "@b.c", false));
    EXPECT_FALSE(is_valid_mailbox("\xc3\xa9@b.c", false));
    EXPECT_TRUE(is_valid_mailbox("\xc3\xa9@b.c", true));
}

TEST(Command, Utf8MailboxMustBeWellFormed) {
    // A lone continuation byte, a truncated sequence, an overlong '/', a surrogate: each would be
    // rewritten (or refused) later by whatever stores or shows the address.
    for (const std::string bad : {"\x80@b.c", "\xc3@b.c", "a@\xc3.c", "\xc0\xaf@b.c", "\xed\xa0\x80@b.c"})
        EXPECT_FALSE(is_valid_mailbox(bad, true)) << bad;
    EXPECT_TRUE(is_valid_mailbox("\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.cn", true));
}

TEST(Command, SameMailboxRule) {
    EXPECT_TRUE(same_mailbox("User@Example.COM", "User@example.com"));
    EXPECT_FALSE(same_mailbox("user@example.com", "User@example.com"));
    EXPECT_EQ(mailbox_key("User@Example.COM"), "User@example.com");
}

TEST(Command, Xtext) {
    EXPECT_TRUE(is_valid_xtext("abc+2B+3D"));
    EXPECT_FALSE(is_valid_xtext("a=b"));
    EXPECT_FALSE(is_valid_xtext("a+2"));
    EXPECT_FALSE(is_valid_xtext("a b"));
}

} // namespace mailpush::smtp
