#include "mailpush/smtp/data_reader.hpp"

#include <gtest/gtest.h>

namespace mailpush::smtp {

TEST(DataReader, EndsOnlyAtCrlfDotCrlf) {
    DataReader r(100);
    EXPECT_EQ(r.consume("a\r\n.\r\nrest"), 6u);
    EXPECT_TRUE(r.done());
    EXPECT_FALSE(r.bare_newline());
    EXPECT_EQ(r.take_body(), "a\r\n");
}

TEST(DataReader, EmptyMessage) {
    DataReader r(100);
    EXPECT_EQ(r.consume(".\r\n"), 3u);
    EXPECT_TRUE(r.done());
    EXPECT_EQ(r.take_body(), "");
}

TEST(DataReader, RemovesDotStuffing) {
    DataReader r(100);
    r.consume("..a\r\n.b\r\n...\r\n.\r\n");
    EXPECT_TRUE(r.done());
    EXPECT_EQ(r.take_body(), ".a\r\nb\r\n..\r\n");
}

TEST(DataReader, BareLfDoesNotEndDataAndMarksMessage) {
    DataReader r(100);
    r.consume("a\n.\r\nb\r\n");
    EXPECT_FALSE(r.done());
    EXPECT_TRUE(r.bare_newline());
    r.consume(".\r\n");
    EXPECT_TRUE(r.done());
}

TEST(DataReader, BareCrDotCrlfDoesNotEndData) {
    DataReader r(100);
    r.consume("a\r.\r\n");
    EXPECT_FALSE(r.done());
    EXPECT_TRUE(r.bare_newline());
}

TEST(DataReader, DotLfIsNotTheEnd) {
    DataReader r(100);
    r.consume(".\nx\r\n");
    EXPECT_FALSE(r.done());
    EXPECT_TRUE(r.bare_newline());
}

TEST(DataReader, SplitAcrossChunksAtEveryPosition) {
    const std::string msg = "Subject: x\r\n\r\n..line\r\n\r\n.\r\n";
    for (std::size_t cut = 0; cut <= msg.size(); ++cut) {
        DataReader r(100);
        auto used = r.consume(std::string_view(msg).substr(0, cut));
        if (!r.done()) used += r.consume(std::string_view(msg).substr(cut));
        EXPECT_TRUE(r.done()) << cut;
        EXPECT_EQ(used, msg.size());
        EXPECT_EQ(r.take_body(), "Subject: x\r\n\r\n.line\r\n\r\n") << cut;
    }
}

TEST(DataReader, SizeLimitCountsUnstuffedBytesAndKeepsScanning) {
    DataReader r(5);
    r.consume("12345\r\n");
    EXPECT_TRUE(r.too_big());
    r.consume("more\r\n.\r\n");
    EXPECT_TRUE(r.done());
    EXPECT_EQ(r.size(), 13u);
    EXPECT_EQ(r.take_body(), "");
}

TEST(DataReader, ExactlyAtLimitIsAccepted) {
    DataReader r(5);
    r.consume("123\r\n.\r\n");
    EXPECT_TRUE(r.done());
    EXPECT_FALSE(r.too_big());
}

} // namespace mailpush::smtp
