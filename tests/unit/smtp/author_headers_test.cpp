#include "mailpush/smtp/address_list.hpp"
#include "mailpush/smtp/author_headers.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace mailpush::smtp {
namespace {
using List = std::vector<std::string>;

struct ListCase {
    const char* value;
    std::optional<List> expected;
};

const ListCase kListCases[] = {
    {"a@x.y", List{"a@x.y"}},
    {"  a@x.y  ", List{"a@x.y"}},
    {"Alice <a@x.y>", List{"a@x.y"}},
    {"\"Smith, Alice\" <a@x.y>", List{"a@x.y"}},
    {"\"boss@bank.com\" <a@x.y>", List{"a@x.y"}}, // the display name is not the address
    {"=?utf-8?B?5byg5LiJ?= <a@x.y>", List{"a@x.y"}},
    {"a@x.y (Alice), Bob <b@z.w>", List{"a@x.y", "b@z.w"}},
    {"(comment (nested)) a@x.y", List{"a@x.y"}},
    {"a(c)@x.y", List{"a@x.y"}},
    {"\"a b\"@x.y", List{"\"a b\"@x.y"}},
    {"<@route.example:a@x.y>", List{"a@x.y"}},
    {"team: a@x.y, Bob <b@z.w>;", List{"a@x.y", "b@z.w"}},
    {"undisclosed-recipients:;", List{}},
    {"a@x.y, team: b@z.w;, c@q.r", List{"a@x.y", "b@z.w", "c@q.r"}},
    {"\xe7\x94\xa8@\xe4\xbe\x8b.cn", List{"\xe7\x94\xa8@\xe4\xbe\x8b.cn"}},
    {"Alice a@x.y", std::nullopt},         // a display name needs angle brackets
    {"<a@x.y", std::nullopt},              // unclosed
    {"a@x.y>", std::nullopt},              // stray '>'
    {"Alice <a@x.y> b@z.w", std::nullopt}, // something after the angle address
    {"(unclosed a@x.y", std::nullopt},
    {"\"unclosed a@x.y", std::nullopt},
    {"team: a@x.y", std::nullopt}, // group without ';'
    {"a@", std::nullopt},
    {"\x80@x.y", std::nullopt}, // invalid UTF-8
    {"not an address", std::nullopt},
};

TEST(AddressList, Table) {
    for (const auto& c : kListCases)
        EXPECT_EQ(parse_address_list(c.value), c.expected) << c.value;
}

TEST(AddressList, LongHostileInputIsLinear) {
    const std::string deep(100'000, '(');
    EXPECT_EQ(parse_address_list(deep), std::nullopt);
    std::string many;
    for (int i = 0; i < 10'000; ++i)
        many += "a@x.y,";
    EXPECT_EQ(parse_address_list(many)->size(), 10'000u);
}

bool only_mine(std::string_view a) {
    return a == "me@mine.test" || a.ends_with("@mine.test");
}

TEST(AuthorHeaders, EveryFromAndSenderAddressMustBeAllowed) {
    using V = AuthorVerdict;
    EXPECT_EQ(check_author_headers("From: Me <me@mine.test>\r\n\r\nbody", only_mine).verdict, V::ok);
    EXPECT_EQ(check_author_headers("Subject: no author\r\n\r\nbody", only_mine).verdict, V::ok);
    EXPECT_EQ(
        check_author_headers("From: other@mine.test\r\nSender: me@mine.test\r\n\r\n", only_mine).verdict,
        V::ok);
    const auto spoof = check_author_headers("From: \"Me\" <boss@bank.test>\r\n\r\n", only_mine);
    EXPECT_EQ(spoof.verdict, V::not_allowed);
    EXPECT_EQ(spoof.address, "boss@bank.test");
    // Every address of a list, every From: field, and Sender: count.
    EXPECT_EQ(check_author_headers("From: me@mine.test, boss@bank.test\r\n\r\n", only_mine).verdict,
              V::not_allowed);
    EXPECT_EQ(check_author_headers("From: me@mine.test\r\nFrom: boss@bank.test\r\n\r\n", only_mine).verdict,
              V::not_allowed);
    EXPECT_EQ(check_author_headers("From: me@mine.test\r\nSender: boss@bank.test\r\n\r\n", only_mine).verdict,
              V::not_allowed);
    // Folded, case-insensitive field names.
    EXPECT_EQ(check_author_headers("fROM: Me\r\n <boss@bank.test>\r\n\r\n", only_mine).verdict,
              V::not_allowed);
    // Whitespace before the colon (RFC 5322 obsolete syntax) still names the field.
    EXPECT_EQ(check_author_headers("From : security@bank.test\r\n\r\n", only_mine).verdict, V::not_allowed);
    EXPECT_EQ(
        check_author_headers("From: me@mine.test\r\nSender\t: boss@bank.test\r\n\r\n", only_mine).verdict,
        V::not_allowed);
    EXPECT_EQ(check_author_headers("From-Alias: boss@bank.test\r\n\r\n", only_mine).verdict, V::ok);
    EXPECT_EQ(check_author_headers("From x: boss@bank.test\r\n\r\n", only_mine).verdict, V::ok);
    // Headers only: a From: line in the body is not a header.
    EXPECT_EQ(check_author_headers("Subject: x\r\n\r\nFrom: boss@bank.test\r\n", only_mine).verdict, V::ok);
    EXPECT_EQ(check_author_headers("From: garbage\r\n\r\n", only_mine).verdict, V::malformed);
    EXPECT_EQ(check_author_headers("From: undisclosed:;\r\n\r\n", only_mine).verdict, V::malformed);
}

} // namespace
} // namespace mailpush::smtp
