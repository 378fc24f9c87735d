// The 8BITMIME downgrade (RFC 6152): quoted-printable per MIME leaf, MIME headers for a plain
// message, everything 7-bit already left alone.
#include "mailpush/smtp/seven_bit.hpp"

#include <gtest/gtest.h>

namespace mailpush::smtp {
namespace {

// Decodes quoted-printable (for round trips).
std::string unqp(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '=' && i + 2 < s.size() && s.substr(i + 1, 2) == "\r\n") {
            i += 2;
        } else if (s[i] == '=' && i + 2 < s.size()) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

TEST(QuotedPrintable, EncodesEightBitEqualsAndTrailingBlanks) {
    EXPECT_EQ(quoted_printable("caf\xc3\xa9 = ok \r\ntab\t\r\n"), "caf=C3=A9 =3D ok=20\r\ntab=09\r\n");
    EXPECT_EQ(quoted_printable(".leading dot\r\n"), ".leading dot\r\n");
}

TEST(QuotedPrintable, LinesStayWithin76Columns) {
    const std::string line(200, '\xe9');
    const auto qp = quoted_printable(line + "\r\n");
    std::size_t start = 0;
    while (start < qp.size()) {
        const auto eol = qp.find("\r\n", start);
        ASSERT_NE(eol, std::string::npos);
        EXPECT_LE(eol - start, 76u);
        start = eol + 2;
    }
    EXPECT_EQ(unqp(qp), line + "\r\n");
    EXPECT_FALSE(has_eight_bit(qp));
}

// A fold never puts a '-' at the start of a line: "--b" there would read as the boundary.
TEST(QuotedPrintable, NoLineStartsWithADash) {
    const std::string body = std::string(75, 'a') + "--b \xc3\xa9\r\n--not a boundary\r\n";
    const auto qp = quoted_printable(body);
    EXPECT_EQ(qp.find("\n-"), std::string::npos) << qp;
    EXPECT_FALSE(qp.starts_with("-"));
    EXPECT_EQ(unqp(qp), body);
}

TEST(SevenBit, SevenBitMessageUnchanged) {
    const std::string m = "From: a@example.com\r\nSubject: hi\r\n\r\nplain\r\n";
    EXPECT_EQ(to_seven_bit(m), m);
}

TEST(SevenBit, PlainMessageGetsMimeHeaders) {
    const std::string m = "From: a@example.com\r\nSubject: hi\r\n\r\nGr\xc3\xbc\xc3\x9f"
                          "e\r\n";
    const auto out = to_seven_bit(m);
    EXPECT_EQ(out,
              "From: a@example.com\r\nSubject: hi\r\nMIME-Version: 1.0\r\n"
              "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
              "\r\nGr=C3=BC=C3=9Fe\r\n");
}

TEST(SevenBit, SinglePartReplacesItsEncoding) {
    const std::string m = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                          "Content-Transfer-Encoding: 8bit\r\n\r\n\xc3\xa9t\xc3\xa9\r\n";
    EXPECT_EQ(to_seven_bit(m), "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                               "Content-Transfer-Encoding: quoted-printable\r\n\r\n=C3=A9t=C3=A9\r\n");
}

TEST(SevenBit, MultipartConvertsOnlyEightBitParts) {
    const std::string m =
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
        "preamble\r\n"
        "--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "na\xc3\xafve\r\n"
        "--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        "AAEC\r\n"
        "--b1--\r\nepilogue\r\n";
    const auto out = to_seven_bit(m);
    EXPECT_FALSE(has_eight_bit(out));
    EXPECT_NE(out.find("Content-Transfer-Encoding: quoted-printable\r\n\r\nna=C3=AFve\r\n--b1\r\n"),
              std::string::npos);
    EXPECT_NE(out.find("Content-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--b1--\r\nepilogue\r\n"),
              std::string::npos);
    EXPECT_TRUE(out.starts_with(
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\npreamble\r\n"));
    EXPECT_EQ(out.find("Content-Transfer-Encoding: 8bit"), std::string::npos);
}

TEST(SevenBit, NestedMultipartAndFoldedContentType) {
    const std::string m = "Content-Type: multipart/mixed;\r\n boundary=outer\r\n\r\n"
                          "--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n"
                          "--inner\r\nContent-Type: text/plain\r\n\r\n\xe2\x82\xac 5\r\n"
                          "--inner\r\nContent-Type: text/html\r\n\r\n<p>\xe2\x82\xac</p>\r\n"
                          "--inner--\r\n"
                          "--outer--\r\n";
    const auto out = to_seven_bit(m);
    EXPECT_FALSE(has_eight_bit(out));
    EXPECT_NE(
        out.find(
            "Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=E2=82=AC 5\r\n"
            "--inner\r\n"),
        std::string::npos);
    EXPECT_NE(out.find("<p>=E2=82=AC</p>\r\n--inner--\r\n--outer--\r\n"), std::string::npos);
}

TEST(SevenBit, AlreadyEncodedOrHeaderOnlyLeftAlone) {
    const std::string header_only = "Subject: \xc3\xa9\r\n";
    EXPECT_EQ(to_seven_bit(header_only), header_only);
    const std::string declared =
        "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n\xff\r\n";
    EXPECT_EQ(to_seven_bit(declared), declared);
}

} // namespace
} // namespace mailpush::smtp
