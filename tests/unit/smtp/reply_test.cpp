#include "mailpush/common/base64.hpp"
#include "mailpush/smtp/message_headers.hpp"
#include "mailpush/smtp/reply.hpp"
#include "mailpush/smtp/sasl.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mailpush::smtp {

// Every row of the catalogue, so a reply added later is checked without touching this test.
TEST(ReplyCatalogue, EveryReplyKeepsTheInvariants) {
    ASSERT_EQ(catalogue().size(), static_cast<std::size_t>(ReplyId::end_));
    for (const ReplyTemplate& row : catalogue()) {
        const Reply r = render(row.id, "h");
        SCOPED_TRACE(encode(r, ReplyStyle::rfc));
        const int first_digit = r.code / 100;
        EXPECT_TRUE(first_digit == 2 || first_digit == 3 || first_digit == 4 || first_digit == 5);
        // Only 3xx, the greeting and the HELO/EHLO reply go without an enhanced code (RFC 2034 §3).
        const bool exempt = first_digit == 3 || row.id == ReplyId::greeting || row.id == ReplyId::helo_ok;
        EXPECT_EQ(r.enhanced.has_value(), !exempt);
        if (r.enhanced) {
            EXPECT_EQ(static_cast<int>(r.enhanced->cls), first_digit); // so the class is 2, 4 or 5 (RFC 3463)
            EXPECT_LE(r.enhanced->subject, 999);
            EXPECT_LE(r.enhanced->detail, 999);
            EXPECT_EQ(parse_enhanced_status(to_string(*r.enhanced)), r.enhanced);
        }
        EXPECT_EQ(r.text.find_first_of("\r\n"), std::string::npos);
        EXPECT_EQ(r.text.find("{}"), std::string::npos);

        // Both styles: one line; rfc always carries the enhanced code, directmail drops it only
        // from the hosted service's documented texts.
        const std::string code = std::to_string(r.code) + " ";
        const std::string bare = code + r.text + "\r\n";
        const std::string with_enhanced =
            r.enhanced ? code + to_string(*r.enhanced) + (r.text.empty() ? "" : " ") + r.text + "\r\n" : bare;
        EXPECT_EQ(encode(r, ReplyStyle::rfc), with_enhanced);
        EXPECT_EQ(encode(r, ReplyStyle::directmail), r.documented ? bare : with_enhanced);
    }
}

TEST(ReplyCatalogue, FunctionsRenderTheirRowWithTheArgument) {
    EXPECT_EQ(replies::ip_not_allowed("192.0.2.1").text,
              "IP protection: 192.0.2.1 is not in the account's allowed IPs");
    EXPECT_EQ(replies::queued(42).text, "Data Ok: queued as freedom ###envid=42");
    EXPECT_EQ(replies::timeout("mx.test").text, "mx.test Error: timeout exceeded");
    EXPECT_EQ(encode(replies::auth_challenge(""), ReplyStyle::rfc), "334 \r\n");
    EXPECT_EQ(encode(replies::account_unavailable(), ReplyStyle::directmail),
              "551 Main account unavailable\r\n");
    EXPECT_EQ(encode(replies::not_enough_quota(), ReplyStyle::rfc), "552 5.7.0 Not enough sending quota\r\n");
    EXPECT_EQ(replies::bare_newline().enhanced, (EnhancedStatus{5, 6, 11}));
    // Our own text: the enhanced code in both styles.
    const auto tracking = replies::tracking_not_verified("dmtrace.shop.test");
    const std::string text = "Tracking requested, but the sender domain's tracking record (CNAME "
                             "dmtrace.shop.test) is not verified";
    EXPECT_EQ(encode(tracking, ReplyStyle::directmail), "550 5.7.1 " + text + "\r\n");
    EXPECT_EQ(encode(tracking, ReplyStyle::rfc), "550 5.7.1 " + text + "\r\n");
}

TEST(EnhancedStatus, FormatsAndParsesStrictly) {
    EXPECT_EQ(to_string(EnhancedStatus{5, 7, 8}), "5.7.8");
    EXPECT_EQ(to_string(EnhancedStatus{4, 100, 999}), "4.100.999");
    EXPECT_EQ(parse_enhanced_status("5.7.8"), (EnhancedStatus{5, 7, 8}));
    EXPECT_EQ(parse_enhanced_status("2.0.0"), (EnhancedStatus{2, 0, 0}));
    EXPECT_EQ(parse_enhanced_status("5.6.11"), (EnhancedStatus{5, 6, 11}));
    for (const char* bad : {"", "5", "5.7", "5.7.", "5..8", "3.1.1", "1.2.3", "5.7.8 ", " 5.7.8", "5.1000.1",
                            "5.1.1000", "5.7.8.9", "x.7.8", "5.a.8", "55.7.8"})
        EXPECT_FALSE(parse_enhanced_status(bad)) << bad;
    static_assert(parse_enhanced_status("4.4.2") == EnhancedStatus{4, 4, 2});
}

TEST(EnhancedStatus, FoundOnlyAtTheStartOfAReplyText) {
    EXPECT_EQ(leading_enhanced_status("5.1.1 User unknown"), (EnhancedStatus{5, 1, 1}));
    EXPECT_EQ(leading_enhanced_status("4.4.0"), (EnhancedStatus{4, 4, 0}));
    EXPECT_FALSE(leading_enhanced_status("User unknown 5.1.1"));
    EXPECT_FALSE(leading_enhanced_status("192.0.2.1 blocked"));
    EXPECT_FALSE(leading_enhanced_status(""));
}

TEST(ReplyCatalogue, SeedTextsVerbatimInDirectmailStyle) {
    const auto dm = ReplyStyle::directmail;
    EXPECT_EQ(encode(replies::auth_failed(), dm), "535 Authentication failure\r\n");
    EXPECT_EQ(encode(replies::auth_ok(), dm), "235 Authentication successful\r\n");
    EXPECT_EQ(encode(replies::too_many_recipients(), dm), "556 The number of RCPTs is over size\r\n");
    EXPECT_EQ(encode(replies::data_too_big(), dm),
              "557 The length of DATA content is achieved the maximum threshold\r\n");
    EXPECT_EQ(encode(replies::invalid_rcptto(), dm), "559 Invalid rcptto\r\n");
    EXPECT_EQ(encode(replies::bye(), dm), "221 Bye\r\n");
    EXPECT_EQ(encode(replies::auth_required(), dm), "530 5.7.0 Authentication required\r\n");
    EXPECT_EQ(encode(replies::storage_low(), dm), "452 4.3.1 Insufficient system storage\r\n");
}

TEST(ReplyCatalogue, RfcStyleCarriesEnhancedCodes) {
    const auto rfc = ReplyStyle::rfc;
    EXPECT_EQ(encode(replies::invalid_rcptto(), rfc), "559 5.1.1 Invalid rcptto\r\n");
    EXPECT_EQ(encode(replies::data_too_big(), rfc),
              "557 5.3.4 The length of DATA content is achieved the maximum threshold\r\n");
    EXPECT_EQ(encode(replies::start_data(), rfc), "354 End data with <CR><LF>.<CR><LF>\r\n");
    EXPECT_EQ(encode(replies::greeting("h"), rfc), "220 h ESMTP mailpush\r\n");
}

TEST(Sasl, PlainDecoding) {
    auto r = decode_plain(common::base64_encode(std::string("\0u@x.y\0pw", 9)));
    ASSERT_TRUE(r.credentials);
    EXPECT_EQ(r.credentials->username, "u@x.y");
    EXPECT_EQ(r.credentials->password, "pw");
    r = decode_plain(common::base64_encode(std::string("u@x.y\0u@x.y\0pw", 14)));
    EXPECT_TRUE(r.credentials);
    EXPECT_EQ(decode_plain("***").error, SaslError::bad_base64);
    EXPECT_FALSE(decode_plain(common::base64_encode(std::string("\0\0pw", 4))).credentials);
    EXPECT_FALSE(decode_plain(common::base64_encode(std::string("\0u\0", 3))).credentials);
    EXPECT_FALSE(decode_plain(common::base64_encode(std::string("\0u\0p\0", 5))).credentials);
}

TEST(Base64, StrictDecoding) {
    EXPECT_EQ(*common::base64_decode("dGVzdA=="), "test");
    EXPECT_EQ(*common::base64_decode("dGVzdEB0ZXN0LmNvbQ=="), "test@test.com");
    EXPECT_EQ(*common::base64_decode(""), "");
    EXPECT_FALSE(common::base64_decode("dGVzdA="));
    EXPECT_FALSE(common::base64_decode("dG=zdA=="));
    EXPECT_FALSE(common::base64_decode("dGVz dA=="));
    EXPECT_FALSE(common::base64_decode("dGVzd==="));
    EXPECT_EQ(common::base64_encode("test"), "dGVzdA==");
}

TEST(MessageHeaders, AddsReceivedAndMissingIds) {
    TraceInfo t{"mx.test",     "client", "127.0.0.1", "ESMTPA", "42", "Mon, 23 Nov 2026 20:40:00 +0000",
                "<id@mx.test>"};
    auto out = add_trace_headers("Subject: a\r\n\r\nbody\r\n", t);
    EXPECT_TRUE(
        out.starts_with("Received: from client ([127.0.0.1])\r\n\tby mx.test (mailpush) with ESMTPA id 42;"));
    EXPECT_NE(out.find("Message-ID: <id@mx.test>\r\n"), std::string::npos);
    EXPECT_NE(out.find("Date: Mon, 23 Nov 2026"), std::string::npos);
    EXPECT_TRUE(out.ends_with("Subject: a\r\n\r\nbody\r\n"));
    auto kept = add_trace_headers("Message-Id: <x@y>\r\ndate: today\r\n\r\nb\r\n", t);
    EXPECT_EQ(kept.find("Message-ID: <id@mx.test>"), std::string::npos);
    EXPECT_EQ(kept.find("Date: Mon"), std::string::npos);
    EXPECT_EQ(*find_header("X-A: 1\r\nSubject: long\r\n folded\r\n\r\n", "subject"), "long folded");
}

TEST(MessageHeaders, RemoveHeaderWithFoldedLinesOnlyInTheHeaderSection) {
    const std::string m =
        "X-AliDM-Trace: eyJ\r\n abc\r\nSubject: s\r\nx-alidm-trace: 2\r\n\r\nX-AliDM-Trace: body\r\n";
    EXPECT_EQ(remove_header(m, "X-AliDM-Trace"), "Subject: s\r\n\r\nX-AliDM-Trace: body\r\n");
    EXPECT_EQ(remove_header("Subject: s\r\n\r\nb\r\n", "X-AliDM-Trace"), "Subject: s\r\n\r\nb\r\n");
    EXPECT_EQ(remove_header("X-AliDM-Trace: only", "X-AliDM-Trace"), "");
    EXPECT_EQ(remove_header("X-AliDM-Trace \t: spaced\r\nSubject: s\r\n\r\nb", "X-AliDM-Trace"),
              "Subject: s\r\n\r\nb");
}

} // namespace mailpush::smtp
