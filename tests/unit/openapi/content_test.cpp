// Pure pieces of the API: message building, template variables, list uploads.
#include "mailpush/openapi/message_builder.hpp"
#include "mailpush/openapi/receiver_upload.hpp"

#include <gtest/gtest.h>

using namespace mailpush::openapi;

TEST(MessageBuilder, BuildsMultipartWithEncodedHeaders) {
    MailContent c;
    c.from_address = "news@example.com";
    c.from_alias = "新闻";
    c.to = {"a@example.org", "b@example.org"};
    c.subject = "Hello";
    c.text_body = "plain";
    c.html_body = "<b>html</b>";
    c.reply_to = "help@example.com";
    c.reply_to_alias = "Help \"Desk\"";
    c.tag = "promo";
    c.headers = {{"X-Campaign", "c1"}};
    const auto m = build_message(c, "BOUNDARY");
    EXPECT_NE(m.find("From: =?UTF-8?B?5paw6Ze7?= <news@example.com>\r\n"), std::string::npos);
    EXPECT_NE(m.find("To: a@example.org,\r\n b@example.org\r\n"), std::string::npos);
    EXPECT_NE(m.find("Reply-To: \"Help \\\"Desk\\\"\" <help@example.com>\r\n"), std::string::npos);
    EXPECT_NE(m.find("Subject: Hello\r\n"), std::string::npos);
    EXPECT_NE(m.find("X-Campaign: c1\r\n"), std::string::npos);
    EXPECT_NE(m.find("X-AliDM-Trace: "), std::string::npos);
    EXPECT_NE(m.find("Content-Type: multipart/alternative; boundary=\"BOUNDARY\""), std::string::npos);
    EXPECT_NE(m.find("cGxhaW4=\r\n"), std::string::npos);         // base64("plain")
    EXPECT_NE(m.find("PGI+aHRtbDwvYj4=\r\n"), std::string::npos); // base64("<b>html</b>")
    EXPECT_NE(m.find("--BOUNDARY--\r\n"), std::string::npos);
}

TEST(MessageBuilder, SinglePartAndLongSubjects) {
    MailContent c;
    c.from_address = "n@example.com";
    c.to = {"a@example.org"};
    c.subject = std::string(60, 'x') + "é";
    c.html_body = "<p>x</p>";
    const auto m = build_message(c, "B");
    EXPECT_EQ(m.find("multipart"), std::string::npos);
    EXPECT_NE(m.find("Content-Type: text/html; charset=UTF-8"), std::string::npos);
    EXPECT_EQ(m.find("X-AliDM-Trace"), std::string::npos);
    // Encoded-words are split below 76 characters on character boundaries.
    const auto subject = encode_header_text(c.subject);
    EXPECT_NE(subject.find("\r\n =?UTF-8?B?"), std::string::npos);
    std::size_t start = 0;
    while (start < subject.size()) {
        auto end = subject.find("\r\n", start);
        if (end == std::string::npos) end = subject.size();
        EXPECT_LE(end - start, 76u);
        start = end + 2;
    }
    EXPECT_EQ(base64_lines(std::string(100, 'a')).find("\r\n"), 76u);
}

TEST(MessageBuilder, HeaderSafety) {
    EXPECT_TRUE(header_safe("fine text"));
    EXPECT_FALSE(header_safe("a\r\nBcc: x"));
    EXPECT_FALSE(header_safe("a\nb"));
    EXPECT_FALSE(header_safe(std::string("a\0b", 3)));
}

TEST(Template, VariablesAreReplacedOnce) {
    mailpush::store::ReceiverRow r{"a@example.org", "Ann", "A", "f", "1990-01-02", "123"};
    EXPECT_EQ(render_template("{UserName} <{EAddr}> {NickName}/{Gender}/{Birthday}/{Mobile} {Unknown} {", r),
              "Ann <a@example.org> A/f/1990-01-02/123 {Unknown} {");
    // Values are not re-expanded (a user name of "{EAddr}" stays literal).
    mailpush::store::ReceiverRow tricky{"b@example.org", "{EAddr}", "", "", "", ""};
    EXPECT_EQ(render_template("{UserName}", tricky), "{EAddr}");
}

TEST(Template, ExtraVariablesAfterTheSixAndLongNamesLeftAlone) {
    mailpush::store::ReceiverRow r{"a@example.org", "Ann", "", "", "", ""};
    const std::map<std::string, std::string, std::less<>> extra{{"age", "20"}, {"UserName", "not used"}};
    EXPECT_EQ(render_template("{UserName} is {age}, {height} {", r, extra), "Ann is 20, {height} {");
    const std::string long_name(kMaxVariableName + 1, 'x');
    const std::map<std::string, std::string, std::less<>> too_long{{long_name, "v"}};
    EXPECT_EQ(render_template("{" + long_name + "}", r, too_long), "{" + long_name + "}");
    EXPECT_EQ(render_template(std::string(100'000, '{'), r, extra), std::string(100'000, '{'));
}

TEST(ReceiverUpload, HeaderOrderQuotingAndErrors) {
    const auto p = parse_receiver_upload("\xEF\xBB\xBFNickName,EAddr\r\n"
                                         "Al,al@example.org\r\n"
                                         "\r\n"
                                         "\"Smith, Jo\",jo@example.org\n"
                                         "\"Say \"\"hi\"\"\",hi@example.org\n"
                                         "\"open,x@example.org\n"
                                         "a,b@example.org,extra\n",
                                         100);
    ASSERT_EQ(p.rows.size(), 3u);
    EXPECT_EQ(p.rows[0].email, "al@example.org");
    EXPECT_EQ(p.rows[0].nick_name, "Al");
    EXPECT_EQ(p.rows[1].nick_name, "Smith, Jo");
    EXPECT_EQ(p.rows[2].nick_name, "Say \"hi\"");
    EXPECT_EQ(p.lines, (std::vector<std::size_t>{2, 4, 5}));
    ASSERT_EQ(p.errors.size(), 2u);
    EXPECT_EQ(p.errors[0].line, 6u);
    EXPECT_EQ(p.errors[0].reason, "unbalanced quotes");
    EXPECT_EQ(p.errors[1].line, 7u);
}

TEST(ReceiverUpload, TxtWithoutHeaderAndRowLimit) {
    const auto p = parse_receiver_upload("a@example.org,Ann\nb@example.org\nc@example.org\n", 2);
    ASSERT_EQ(p.rows.size(), 2u);
    EXPECT_EQ(p.rows[0].user_name, "Ann");
    ASSERT_EQ(p.errors.size(), 1u);
    EXPECT_EQ(p.errors[0].line, 3u);
    const auto bad = parse_receiver_upload("EAddr,Shoe size\nx@example.org,42\n", 10);
    EXPECT_TRUE(bad.rows.empty());
    ASSERT_EQ(bad.errors.size(), 1u);
    EXPECT_NE(bad.errors[0].reason.find("unknown column"), std::string::npos);
}

TEST(ReceiverUpload, TheConsolesTemplateFileWithCaptionAndVariableLines) {
    const auto p = parse_receiver_upload("收件人邮箱,收件人姓名,收件人昵称,收件人称呼,收件人生日,收件人电话\n"
                                         "地址{EAddr},{UserName},{NickName},{Gender},{Birthday},{Mobile}\n"
                                         "test1@abc.com,张三,张三丰,先生,1990/1/1,1380000000\n",
                                         10);
    ASSERT_TRUE(p.errors.empty());
    ASSERT_EQ(p.rows.size(), 1u);
    EXPECT_EQ(p.rows[0].email, "test1@abc.com");
    EXPECT_EQ(p.rows[0].nick_name, "张三丰");
    EXPECT_EQ(p.rows[0].gender, "先生");
    EXPECT_EQ(p.rows[0].birthday, "1990/1/1");
    EXPECT_EQ(p.lines[0], 3u);
}
