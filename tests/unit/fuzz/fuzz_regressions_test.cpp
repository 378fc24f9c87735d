// Regression tests for the bugs the libFuzzer targets found (tests/fuzz/, docs/testing.md); the
// crashing inputs are kept in tests/fuzz/corpus/<target>/crash-*.
#include "tracking/messages.hpp"

#include "mailpush/common/base64.hpp"
#include "mailpush/config/config.hpp"
#include "mailpush/smtp/client_session.hpp"
#include "mailpush/smtp/command.hpp"
#include "mailpush/smtp/seven_bit.hpp"
#include "mailpush/tracking/rewrite.hpp"

#include <gtest/gtest.h>

namespace mailpush {

// Found by smtp_address_sasl: an address literal took any bytes, so a non-ASCII (or control) byte
// passed as a valid mailbox without SMTPUTF8.
TEST(FuzzRegression, AddressLiteralIsPrintableAsciiOnly) {
    EXPECT_FALSE(smtp::is_valid_mailbox("Yu@[\xff\xff\xff\x1a]", false));
    EXPECT_FALSE(smtp::is_valid_mailbox("a@[1.2.3.4\x01]", true));
    EXPECT_TRUE(smtp::is_valid_mailbox("a@[192.0.2.1]", false));
    EXPECT_TRUE(smtp::is_valid_mailbox("a@[IPv6:2001:db8::1]", false));
}

// smtp_address_sasl: "AK==" decoded to "\0" although its leftover bits are not zero, so one
// credential had several encodings; strict base64 accepts only the canonical one.
TEST(FuzzRegression, Base64RefusesNonZeroPaddingBits) {
    EXPECT_FALSE(common::base64_decode("AK=="));
    EXPECT_FALSE(common::base64_decode("AAB="));
    EXPECT_FALSE(common::base64_decode("dGVzdB=="));
    EXPECT_EQ(common::base64_decode("AA=="), std::string(1, '\0'));
    EXPECT_EQ(common::base64_decode("AAA="), std::string(2, '\0'));
    EXPECT_EQ(common::base64_decode("dGVzdA=="), "test");
}

// smtp_client_reply: a reply code outside 2yz..5yz ("000", "999", "100") was taken as a reply;
// it is malformed and ends the session like any other protocol error.
TEST(FuzzRegression, ReplyCodesOutsideTwoToFiveAreMalformed) {
    for (const std::string line : {"000 x\r\n", "999 x\r\n", "100 x\r\n", "699 x\r\n"}) {
        smtp::ReplyParser parser;
        parser.consume(line);
        const auto reply = parser.take();
        ASSERT_TRUE(reply) << line;
        EXPECT_EQ(reply->code, 421) << line;
    }
    smtp::ReplyParser parser;
    parser.consume("554 5.7.1 no\r\n");
    EXPECT_EQ(parser.take()->code, 554);
}

// config: toml++ quotes the offending character as it is, so a newline there made the
// "one line naming the key" error two lines.
TEST(FuzzRegression, TomlSyntaxErrorIsOneLine) {
    try {
        (void)config::parse_config("[smtp]\nx = t\n", "test.toml");
        FAIL() << "parsed";
    } catch (const config::ConfigError& e) {
        const std::string what = e.what();
        EXPECT_EQ(what.find('\n'), std::string::npos) << what;
        EXPECT_TRUE(what.starts_with("test.toml:2:")) << what;
    }
}

// tracking_rewrite: an empty HTML part shares its line end with the boundary after it, and the
// pixel inserted there put the boundary in the middle of a line (the next parts were lost).
TEST(FuzzRegression, EmptyHtmlPartKeepsTheBoundaryOnItsLine) {
    using namespace tracking::test;
    const std::string message =
        crlf("MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=b\n\n--b\n"
             "Content-Type: text/html\n\n--b\nContent-Type: text/html\n\n"
             "<a href=\"http://x.example/\">x</a>\n--b--\n");
    const auto t = tracking::TrackedMessage::analyse(message, tracking::TrackOptions{true, true, {}});
    ASSERT_TRUE(t.tracked()) << t.reason();
    const auto out = t.render(kBase, token_of);
    EXPECT_TRUE(same_outside_html(message, out));
    EXPECT_NE(out.find("Content-Type: text/html\r\n\r\n--b\r\n"), std::string::npos);
}

// dkim_message: the 7-bit downgrade's output still held 8-bit bytes, in a MIME part's own header.
// That is its documented behaviour (docs/dkim.md: header fields are not re-encoded, only bodies),
// so the target checks the structure; this test pins both halves.
TEST(FuzzRegression, SevenBitReencodesPartBodiesNotPartHeaders) {
    const std::string part_header = "Content-Disposition: attachment; filename=\"\xc3\xa9.txt\"\r\n";
    const std::string message = "From: a@example.com\r\nMIME-Version: 1.0\r\n"
                                "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                                "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n"
                                "Content-Transfer-Encoding: 8bit\r\n" +
                                part_header + "\r\n\xe4\xbd\xa0\xe5\xa5\xbd\r\n--b1--\r\n";
    const auto downgraded = smtp::to_seven_bit(message);
    EXPECT_NE(downgraded.find(part_header), std::string::npos) << downgraded;    // kept as it was
    EXPECT_EQ(downgraded.find("\xe4\xbd\xa0"), std::string::npos) << downgraded; // the body re-encoded
    EXPECT_NE(downgraded.find("\r\n\r\n"), std::string::npos);
}

} // namespace mailpush
