// TrackedMessage: which links and pixels go where, in each transfer encoding and charset, and
// that every byte outside the rewritten HTML parts stays as it was.
#include "messages.hpp"

#include "mailpush/common/base64.hpp"
#include "mailpush/tracking/rewrite.hpp"

#include <gtest/gtest.h>

namespace mailpush::tracking::test {
namespace {

const TrackOptions kBoth{true, true, {"https://mail.example.com/u/"}};

std::string render(const TrackedMessage& t) {
    return t.render(kBase, token_of);
}

const std::string kHeader = "From: Sender <news@example.org>\nTo: someone@example.net\nSubject: hi\n"
                            "Message-ID: <1@example.org>\nMIME-Version: 1.0\n";

TEST(Rewrite, QuotedPrintableHtmlBesideTextPlain) {
    const std::string message =
        crlf(kHeader + "Content-Type: multipart/alternative; boundary=\"b1\"\n\n"
                       "--b1\nContent-Type: text/plain; charset=utf-8\n\n"
                       "Read https://example.com/a?x=1&y=2\n"
                       "--b1\nContent-Type: text/html; charset=utf-8\n"
                       "Content-Transfer-Encoding: quoted-printable\n\n"
                       "<html><body><p>Hello <a href=3D\"https://example.com/a?x=3D1&amp;y=\n"
                       "=3D2\">read</a> caf=C3=A9</p></body></html>\n"
                       "--b1--\n");
    const auto t = TrackedMessage::analyse(message, kBoth);
    ASSERT_TRUE(t.tracked()) << t.reason();
    EXPECT_EQ(t.reason(), "");
    EXPECT_EQ(t.links(), std::vector<std::string>{"https://example.com/a?x=1&y=2"});
    const auto out = render(t);
    EXPECT_TRUE(same_outside_html(message, out));
    EXPECT_EQ(html_part(out),
              crlf("<html><body><p>Hello <a href=\"http://dmtrace.example.com/c/T1\">read</a> "
                   "caf\xc3\xa9</p>") +
                  std::string(kPixel) + "</body></html>");
    EXPECT_LE(longest_line(raw_html_part(out)), 76u);
    // The text part is untouched: its URL stays.
    EXPECT_NE(out.find("Read https://example.com/a?x=1&y=2\r\n--b1"), std::string::npos);
}

TEST(Rewrite, ABackslashBeforeTheQueryIsStoredAsTheSlashABrowserReads) {
    const std::string message = crlf(
        kHeader + "Content-Type: text/html\n\n<a href=\"http://a.example\\@b.example/p\\q?x=\\y\">x</a>\n");
    const auto t = TrackedMessage::analyse(message, kBoth);
    ASSERT_TRUE(t.tracked()) << t.reason();
    EXPECT_EQ(t.links(), (std::vector<std::string>{"http://a.example/@b.example/p/q?x=\\y"}));
}

TEST(Rewrite, Base64Html) {
    const std::string html =
        "<html><body><a href='http://shop.example.com/x'>x</a>" + std::string(300, 'y') + "</body></html>";
    std::string b64 = common::base64_encode(html);
    for (std::size_t at = 76; at < b64.size(); at += 78)
        b64.insert(at, "\r\n");
    const std::string message = crlf(kHeader + "Content-Type: text/html; charset=\"UTF-8\"\n"
                                               "Content-Transfer-Encoding: base64\n\n") +
                                b64 + "\r\n";
    const auto t = TrackedMessage::analyse(message, kBoth);
    ASSERT_TRUE(t.tracked()) << t.reason();
    const auto out = render(t);
    EXPECT_TRUE(same_outside_html(message, out));
    EXPECT_EQ(html_part(out), "<html><body><a href='http://dmtrace.example.com/c/T1'>x</a>" +
                                  std::string(300, 'y') + std::string(kPixel) + "</body></html>");
    EXPECT_LE(longest_line(raw_html_part(out)), 76u);
    EXPECT_EQ(out.substr(out.size() - 2), "\r\n");
}

TEST(Rewrite, GbkHtmlBesideGbkText) {
    const std::string nihao = "\xc4\xe3\xba\xc3"; // 你好 in GBK
    const std::string text = "Content-Type: text/plain; charset=GBK\nContent-Transfer-Encoding: 8bit\n\n" +
                             nihao + " https://example.com/t\n";
    const std::string html = "<html><body>" + nihao + "<a href=\"https://example.com/" + nihao.substr(0, 2) +
                             "\">" + nihao + "</a></body></html>";
    const std::string message = crlf(kHeader +
                                     "Content-Type: multipart/alternative; boundary=\"=_gb\"\n\n"
                                     "--=_gb\n" +
                                     text +
                                     "--=_gb\nContent-Type: text/html; charset=gb2312\n"
                                     "Content-Transfer-Encoding: base64\n\n" +
                                     common::base64_encode(html) + "\n--=_gb--\n");
    const auto t = TrackedMessage::analyse(message, kBoth);
    ASSERT_TRUE(t.tracked()) << t.reason();
    EXPECT_EQ(t.links(), std::vector<std::string>{"https://example.com/\xe4\xbd\xa0"}); // UTF-8
    const auto out = render(t);
    EXPECT_TRUE(same_outside_html(message, out));
    EXPECT_NE(out.find(crlf("--=_gb\n" + text + "--=_gb\n")), std::string::npos);
    EXPECT_EQ(html_part(out), "<html><body>" + nihao + "<a href=\"http://dmtrace.example.com/c/T1\">" +
                                  nihao + "</a>" + std::string(kPixel) + "</body></html>");
}

TEST(Rewrite, Utf8EightBitHtml) {
    const std::string message =
        crlf(kHeader + "Content-Type: text/html; charset=utf-8\n"
                       "Content-Transfer-Encoding: 8bit\n\n"
                       "<p>\xe4\xbd\xa0\xe5\xa5\xbd <a href=https://example.com/u8>go</a></p>\n");
    const auto t = TrackedMessage::analyse(message, kBoth);
    ASSERT_TRUE(t.tracked()) << t.reason();
    const auto out = render(t);
    EXPECT_TRUE(same_outside_html(message, out));
    // No </body>: the pixel goes at the end; the unquoted value stays unquoted.
    EXPECT_EQ(html_part(out),
              crlf("<p>\xe4\xbd\xa0\xe5\xa5\xbd <a href=http://dmtrace.example.com/c/T1>go</a></p>\n") +
                  std::string(kPixel));
}

TEST(Rewrite, RelatedWithInlineImage) {
    const std::string image =
        "Content-Type: image/png\nContent-Transfer-Encoding: base64\nContent-ID: <logo@x>\n"
        "Content-Disposition: inline\n\niVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk\n";
    const std::string message = crlf(kHeader +
                                     "Content-Type: multipart/related; boundary=rel\n\n--rel\n"
                                     "Content-Type: text/html; charset=us-ascii\n\n"
                                     "<html><body><img src=\"cid:logo@x\"><a href=\"http://a.example/\">a</a>"
                                     "</body></html>\n--rel\n" +
                                     image + "--rel--\n");
    const auto t = TrackedMessage::analyse(message, kBoth);
    ASSERT_TRUE(t.tracked()) << t.reason();
    const auto out = render(t);
    EXPECT_TRUE(same_outside_html(message, out));
    EXPECT_NE(out.find(crlf("--rel\n" + image + "--rel--\n")), std::string::npos);
    EXPECT_EQ(html_part(out),
              "<html><body><img src=\"cid:logo@x\"><a href=\"http://dmtrace.example.com/c/T1\">a</a>" +
                  std::string(kPixel) + "</body></html>");
}

const std::string kAttachments =
    "--mix\nContent-Type: application/pdf; name=\"a.pdf\"\nContent-Disposition: attachment; "
    "filename=\"a.pdf\"\n"
    "Content-Transfer-Encoding: "
    "base64\n\nJVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSL0ZpbHRlci9GbGF0ZURl\n"
    "--mix\nContent-Type: text/html; charset=utf-8; name=\"page.html\"\n"
    "Content-Disposition: attachment; filename=\"page.html\"\n\n"
    "<html><body><a href=\"https://attached.example/\">keep</a></body></html>\n"
    "--mix--\n";

TEST(Rewrite, MixedWithAttachmentsLeavesThemAlone) {
    const std::string message = crlf(kHeader +
                                     "Content-Type: multipart/mixed; boundary=mix\n\n--mix\n"
                                     "Content-Type: text/html; charset=utf-8\n\n"
                                     "<body><a href=\"https://b.example/\">b</a></body>\n" +
                                     kAttachments);
    const auto t = TrackedMessage::analyse(message, kBoth);
    ASSERT_TRUE(t.tracked()) << t.reason();
    EXPECT_EQ(t.links(), std::vector<std::string>{"https://b.example/"});
    const auto out = render(t);
    EXPECT_TRUE(same_outside_html(message, out));
    EXPECT_NE(out.find(crlf(kAttachments)), std::string::npos);
    EXPECT_EQ(out.find("attached.example"), out.rfind("attached.example"));
}

TEST(Rewrite, NestedMixedAlternative) {
    const std::string message =
        crlf(kHeader +
             "Content-Type: multipart/mixed; boundary=outer\n\nThis is MIME.\n--outer\n"
             "Content-Type: multipart/alternative; boundary=inner\n\n--inner\n"
             "Content-Type: text/plain\n\nplain http://n.example/\n--inner\n"
             "Content-Type: text/html; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"
             "<body>Gr=FC=DFe <a href=3D\"http://n.example/\">n</a> <a href=3D\"http://n.example/\">again</a>"
             "</body>\n--inner--\n\n" +
             kAttachments);
    const auto t = TrackedMessage::analyse(message, kBoth);
    ASSERT_TRUE(t.tracked()) << t.reason();
    EXPECT_EQ(t.links(), std::vector<std::string>{"http://n.example/"}); // one number per target
    const auto out = render(t);
    EXPECT_TRUE(same_outside_html(message, out));
    EXPECT_EQ(html_part(out), crlf("<body>Gr\xfc\xdf"
                                   "e <a href=\"http://dmtrace.example.com/c/T1\">n</a> "
                                   "<a href=\"http://dmtrace.example.com/c/T1\">again</a>") +
                                  std::string(kPixel) + "</body>");
}

TEST(Rewrite, LinksThatStay) {
    const std::string body =
        "<html><head><style>a{background:url(http://style.example/)}</style>"
        "<script>var u='http://script.example/';</script></head><body>"
        "<a href=\"mailto:a@example.com\">m</a><a href=\"tel:+123\">t</a><a href=\"#top\">#</a>"
        "<a href=\"/relative\">r</a><a href=\"javascript:alert(1)\">j</a>"
        "<a href=\"data:text/html,x\">d</a><a href=\"https://mail.example.com/u/TOKEN\">unsub</a>"
        "<a name=\"x\">no href</a><a href>empty</a><link href=\"http://link.example/\">"
        "<svg><a href=\"http://svg.example/\">s</a></svg>"
        "<a href=\" HTTPS://Up.example/&amp;x \">up</a><area href=\"http://area.example/\">"
        "</body></html>";
    const std::string message = crlf(kHeader + "Content-Type: text/html; charset=utf-8\n\n") + body;
    const auto t = TrackedMessage::analyse(message, kBoth);
    ASSERT_TRUE(t.tracked()) << t.reason();
    EXPECT_EQ(t.links(), (std::vector<std::string>{"HTTPS://Up.example/&x", "http://area.example/"}));
    std::string expected = body;
    const auto replace = [&expected](std::string_view from, std::string_view to) {
        const auto at = expected.find(from);
        ASSERT_NE(at, std::string::npos) << from;
        expected.replace(at, from.size(), to);
    };
    replace("\" HTTPS://Up.example/&amp;x \"", "\"http://dmtrace.example.com/c/T1\"");
    replace("\"http://area.example/\"", "\"http://dmtrace.example.com/c/T2\"");
    replace("</body>", std::string(kPixel) + "</body>");
    EXPECT_EQ(html_part(render(t)), expected);
}

TEST(Rewrite, OpenOnlyAndLinksOnly) {
    const std::string message =
        crlf(kHeader + "Content-Type: text/html\n\n<body><a href=\"http://x.example/\">x</a></body>\n");
    const auto open = TrackedMessage::analyse(message, TrackOptions{true, false, {}});
    ASSERT_TRUE(open.tracked());
    EXPECT_TRUE(open.links().empty());
    EXPECT_EQ(html_part(render(open)),
              "<body><a href=\"http://x.example/\">x</a>" + std::string(kPixel) + "</body>\r\n");
    const auto links = TrackedMessage::analyse(message, TrackOptions{false, true, {}});
    ASSERT_TRUE(links.tracked());
    std::vector<std::uint32_t> asked;
    const auto out = links.render(kBase, [&asked](std::uint32_t n) {
        asked.push_back(n);
        return token_of(n);
    });
    EXPECT_EQ(asked, std::vector<std::uint32_t>{1});
    EXPECT_EQ(html_part(out), "<body><a href=\"http://dmtrace.example.com/c/T1\">x</a></body>\r\n");
}

TEST(Rewrite, UntrackedMessagesAreByteIdentical) {
    const std::string plain = crlf(kHeader + "Content-Type: text/plain\n\nhttp://x.example/\n");
    const std::string html =
        crlf(kHeader + "Content-Type: text/html\n\n<a href=\"http://x.example/\">x</a>\n");
    const std::string signed_html = crlf(
        kHeader + "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=s\n\n"
                  "--s\nContent-Type: text/html\n\n<a href=\"http://x.example/\">x</a>\n"
                  "--s\nContent-Type: application/pkcs7-signature\n\nMIIB\n--s--\n");
    const std::string odd_encoding = crlf(
        kHeader +
        "Content-Type: text/html\nContent-Transfer-Encoding: x-uuencode\n\n<a href=\"http://x/\">x</a>\n");
    const std::string utf16 =
        crlf(kHeader + "Content-Type: text/html; charset=utf-16le\nContent-Transfer-Encoding: base64\n\n") +
        common::base64_encode(std::string("<\0a\0>\0", 6)) + "\r\n";
    const std::string bad_gbk =
        crlf(kHeader + "Content-Type: text/html; charset=gbk\nContent-Transfer-Encoding: 8bit\n\n"
                       "<a href=\"http://x/\">\xff\xff</a>\n");
    const std::string not_utf8 = crlf(kHeader + "Content-Type: text/html\nContent-Transfer-Encoding: 8bit\n\n"
                                                "<a href=\"http://x/\">\xe9</a>\n");
    const std::string unknown_charset =
        crlf(kHeader + "Content-Type: text/html; charset=x-unknown-42\n\n<a href=\"http://x/\">x</a>\n");
    struct Case {
        std::string_view name;
        const std::string& message;
        TrackOptions options;
    };
    for (const auto& c :
         {Case{"no html", plain, kBoth}, Case{"not asked", html, TrackOptions{}},
          Case{"signed", signed_html, kBoth}, Case{"x-uuencode", odd_encoding, kBoth},
          Case{"utf-16", utf16, kBoth}, Case{"bad gbk", bad_gbk, kBoth},
          Case{"latin-1 without charset", not_utf8, kBoth}, Case{"unknown charset", unknown_charset, kBoth},
          Case{"links only, no link", plain, TrackOptions{false, true, {}}}}) {
        const auto t = TrackedMessage::analyse(c.message, c.options);
        EXPECT_FALSE(t.tracked()) << c.name;
        EXPECT_NE(t.reason(), "") << c.name;
        EXPECT_TRUE(t.links().empty()) << c.name;
        bool called = false;
        EXPECT_EQ(t.render(kBase,
                           [&called](std::uint32_t) {
                               called = true;
                               return std::string("X");
                           }),
                  c.message)
            << c.name;
        EXPECT_FALSE(called) << c.name;
    }
}

TEST(Rewrite, MalformedMimeNeverThrowsAndKeepsOutsideBytes) {
    const std::vector<std::string> inputs = {
        "",
        "no header at all",
        crlf("Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/html\n\n<a "
             "href=\"http://x/\">"),
        crlf("Content-Type: multipart/mixed\n\n--b\nContent-Type: text/html\n\n<a "
             "href=\"http://x/\">x</a>\n--b--\n"),
        crlf("Content-Type: text/html; charset=\nContent-Transfer-Encoding: quoted-printable\n\n<a "
             "href=3D\"http://x/\">=ZZ=\n"),
        crlf("Content-Type: text/html\nContent-Transfer-Encoding: base64\n\n!!!not base64!!!\n"),
        std::string("Content-Type: text/html\r\n\r\n<a href=\"http://x/\0y\">\0</a>", 45),
        crlf("Content-Type: multipart/related; boundary=\"\"\n\n--\n\n<a href=\"http://x/\">"),
    };
    for (const auto& input : inputs) {
        TrackedMessage t = TrackedMessage::analyse(input, kBoth);
        const auto out = render(t);
        if (!t.tracked())
            EXPECT_EQ(out, input);
        else
            EXPECT_TRUE(same_outside_html(input, out)) << input;
    }
}

TEST(Rewrite, SevenBitLinesStayUnder998) {
    std::string line(980, 'x');
    const std::string message = crlf(kHeader + "Content-Type: text/html\n\n<body>" + line +
                                     "<a href=\"http://long.example/\">l</a>" + line + "</body>\n");
    const auto t = TrackedMessage::analyse(message, kBoth);
    ASSERT_TRUE(t.tracked()) << t.reason();
    const auto long_base = "http://" + std::string(300, 'h') + ".example";
    const auto out = t.render(long_base, token_of);
    EXPECT_TRUE(same_outside_html(message, out));
    EXPECT_LE(longest_line(out), 998u);
    const auto html = html_part(out);
    EXPECT_NE(html.find("<a href=\r\n\"" + long_base + "/c/T1\"\r\n>l</a>"), std::string::npos);
}

TEST(Rewrite, QuotedPrintableLongInsertsFold) {
    const std::string message =
        crlf(kHeader + "Content-Type: text/html\nContent-Transfer-Encoding: quoted-printable\n\n"
                       "<body><a href=3D\"http://q.example/\">q</a></body>\n");
    const auto t = TrackedMessage::analyse(message, kBoth);
    const auto long_base = "https://" + std::string(200, 't') + ".example";
    const auto out = t.render(long_base, token_of);
    EXPECT_LE(longest_line(raw_html_part(out)), 76u);
    EXPECT_NE(html_part(out).find("<a href=\"" + long_base + "/c/T1\">q</a>"), std::string::npos);
}

// A '-' that lands at the start of a line after a fold or a moved insert would let "--b" in the
// HTML read as the boundary: the parts must come out as they went in (found by the fuzzer).
TEST(Rewrite, NoFoldMakesABoundaryLine) {
    const std::string qp = crlf("Content-Type:multipart/e;boundary=\"b\"\n\n--b\nContent-Type:text/html\n"
                                "Content-Transfer-Encoding:quoted-printable\n\n<a href=\"http://\"--b\n>");
    const std::string seven_bit = crlf(kHeader +
                                       "Content-Type: multipart/alternative; boundary=\"b\"\n\n--b\n"
                                       "Content-Type: text/html\n\n<body>" +
                                       std::string(600, 'x') + "<a href=\"http://x.example/\"--b " +
                                       std::string(600, 'y') + ">l</a></body>\n--b--\n");
    const auto long_base = "http://" + std::string(300, 'h') + ".example";
    for (const auto& message : {qp, seven_bit}) {
        const auto t = TrackedMessage::analyse(message, kBoth);
        ASSERT_TRUE(t.tracked()) << t.reason();
        const auto out = t.render(long_base, token_of);
        EXPECT_TRUE(same_outside_html(message, out)) << out;
        EXPECT_EQ(out.find("\n--b\r\n>"), std::string::npos) << out;
        EXPECT_EQ(out.find("\n--b y"), std::string::npos) << out;
        EXPECT_LE(longest_line(out), 998u);
    }
}

TEST(Rewrite, BaseUrlIsMadeSafe) {
    const std::string message =
        crlf(kHeader + "Content-Type: text/html\n\n<a href=\"http://x.example/\">x</a>\n");
    const auto t = TrackedMessage::analyse(message, TrackOptions{false, true, {}});
    const auto out = t.render("http://a\"b<c>~", token_of);
    EXPECT_NE(html_part(out).find("<a href=\"http://a%22b%3Cc%3E%7E/c/T1\">"), std::string::npos);
}

TEST(Rewrite, EachRecipientGetsItsOwnTokens) {
    const std::string message =
        crlf(kHeader + "Content-Type: text/html\n\n<a href=\"http://x.example/\">x</a>"
                       "<a href=\"http://y.example/\">y</a>\n");
    const auto t = TrackedMessage::analyse(message, kBoth);
    const auto a = t.render(kBase, [](std::uint32_t n) { return "A" + std::to_string(n); });
    const auto b = t.render(kBase, [](std::uint32_t n) { return "B" + std::to_string(n); });
    EXPECT_NE(a.find("/c/A2\""), std::string::npos);
    EXPECT_NE(a.find("/o/A0\""), std::string::npos);
    EXPECT_NE(b.find("/c/B1\""), std::string::npos);
    EXPECT_EQ(a.find("/c/B"), std::string::npos);
    EXPECT_TRUE(same_outside_html(a, b));
}

} // namespace
} // namespace mailpush::tracking::test
