#include "mailpush/common/base64.hpp"
#include "mailpush/smtp/message_headers.hpp"
#include "mailpush/smtp/reply.hpp"
#include "mailpush/smtp/sasl.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace mailpush::smtp {

std::vector<Reply> whole_catalogue() {
    using namespace replies;
    return {greeting("h"),
            helo_ok("h"),
            ok(),
            bye(),
            vrfy_cannot(),
            help(),
            not_implemented(),
            unknown_command(),
            line_too_long(),
            bad_sequence(),
            need_helo(),
            need_mail(),
            need_rcpt(),
            nested_mail(),
            no_valid_recipients(),
            syntax_helo(),
            syntax_params(),
            bad_sender_syntax(),
            bad_recipient_syntax(),
            unsupported_parameter(),
            auth_required(),
            sender_mismatch(),
            mail_ok(),
            rcpt_ok(),
            too_many_recipients(),
            invalid_rcptto(),
            size_exceeds_limit(),
            start_data(),
            data_too_big(),
            bare_newline(),
            queued(1),
            storage_low(),
            storage_error(),
            auth_already(),
            auth_in_transaction(),
            auth_mechanism_unknown(),
            auth_tls_required(),
            auth_challenge("x"),
            auth_ok(),
            auth_failed(),
            auth_cancelled(),
            auth_bad_base64(),
            auth_malformed(),
            auth_throttled(),
            auth_temporary_failure(),
            too_many_auth_failures("h"),
            too_many_errors("h"),
            timeout("h"),
            shutting_down("h"),
            too_many_connections("h"),
            tls_ready(),
            tls_already_active(),
            tls_not_available(),
            smtputf8_required()};
}

TEST(ReplyCatalogue, ClassDigitMatchesCodeAndNoLineBreaks) {
    for (const auto& r : whole_catalogue()) {
        const char cls = static_cast<char>('0' + r.code / 100);
        if (r.enhanced.empty()) {
            // Only 3xx, the greeting and the HELO/EHLO reply are exempt (RFC 2034 §3).
            EXPECT_TRUE(cls == '3' || r.text == "h ESMTP mailpush" || r.text == "h")
                << r.code << " " << r.text;
        } else {
            EXPECT_EQ(r.enhanced[0], cls) << r.code << " " << r.text;
        }
        EXPECT_EQ(r.text.find_first_of("\r\n"), std::string::npos);
    }
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
}

} // namespace mailpush::smtp
