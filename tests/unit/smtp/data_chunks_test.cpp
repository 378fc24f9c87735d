// A message handed over in chunks while it arrives (the driver writes them to the spool's file),
// the DATA budget check, and a message refused while it is read.
#include "session_fixture.hpp"

#include "mailpush/smtp/data_reader.hpp"

namespace mailpush::smtp::test {

TEST(DataReaderChunks, ChunksAndTheRestMakeTheMessageAndTheHeadIsKept) {
    DataReader r(1'000'000);
    r.consume("Subject: a\r\nFrom: x@y\r\n\r\nline one\r\n..dotted");
    EXPECT_EQ(r.held(), 42u);
    const auto first = r.take_chunk();
    EXPECT_TRUE(r.chunked());
    EXPECT_EQ(r.held(), 0u);
    EXPECT_EQ(r.head(), "Subject: a\r\nFrom: x@y\r\n\r\n");
    r.consume("\r\nmore\r\n.\r\n");
    EXPECT_TRUE(r.done());
    EXPECT_EQ(first + r.take_body(), "Subject: a\r\nFrom: x@y\r\n\r\nline one\r\n.dotted\r\nmore\r\n");
    EXPECT_EQ(r.head(), "Subject: a\r\nFrom: x@y\r\n\r\n"); // a later chunk does not change it
}

TEST(DataReaderChunks, AHeaderSectionPastTheCapIsMarkedAndSizeCountsEveryChunk) {
    DataReader r(1'000'000);
    const std::string header = "X-Long: " + std::string(DataReader::kHeadBytes, 'h') + "\r\n";
    r.consume(header);
    r.take_chunk();
    EXPECT_TRUE(r.head_too_long());
    r.consume("\r\nbody\r\n.\r\n");
    EXPECT_EQ(r.size(), header.size() + 8);
}

TEST(DataReaderChunks, TheHeadIsCollectedAcrossChunksAndFromTheRest) {
    DataReader r(1'000'000);
    r.consume("Subject: a\r\n");
    r.take_chunk();
    r.consume("From: x@y\r");
    r.take_chunk();
    r.consume("\n\r\nbody\r\n.\r\n"); // the blank line split between a chunk and the rest
    ASSERT_TRUE(r.done());
    EXPECT_FALSE(r.head_too_long());
    EXPECT_EQ(r.head(), "Subject: a\r\nFrom: x@y\r\n\r\n");
}

TEST(DataReaderChunks, AMessageWithoutHeadersHasAnEmptyHeaderSection) {
    DataReader r(1'000'000);
    r.consume("\r\nonly a body\r\n");
    r.take_chunk();
    r.consume(".\r\n");
    EXPECT_EQ(r.head(), "\r\n");
}

TEST(DataReaderChunks, AnAbandonedMessageIsReadToItsEndAndKeepsNothing) {
    DataReader r(1000);
    r.consume("abc\r\n");
    r.abandon();
    EXPECT_EQ(r.held(), 0u);
    r.consume("def\r\n.\r\n");
    EXPECT_TRUE(r.done() && r.abandoned());
    EXPECT_EQ(r.take_body(), "");
}

struct FullPolicy : FakePolicy {
    bool full = false;
    std::optional<Reply> check_data(const Envelope&) override {
        return full ? std::optional<Reply>(replies::inflight_full()) : std::nullopt;
    }
};

class DataChunksTest : public SessionTest {
protected:
    FullPolicy full_policy;
    void begin() {
        limits.max_message_bytes = 1'000'000;
        session = std::make_unique<ServerSession>(limits, full_policy);
        last = session->on_connect();
        send("EHLO client.test\r\n");
        send("AUTH PLAIN " + plain_ir("sender@example.com", "Secret123ab") + "\r\n");
        last = session->on_auth_result(AuthVerdict::ok);
        send("MAIL FROM:<sender@example.com>\r\nRCPT TO:<a@dest.test>\r\n");
    }
};

TEST_F(DataChunksTest, DataWithoutRoomGets452AndTheTransactionStays) {
    begin();
    full_policy.full = true;
    EXPECT_EQ(send("DATA\r\n"), "452 4.3.1 Too much mail in progress, try again later\r\n");
    EXPECT_FALSE(session->in_data());
    full_policy.full = false;
    EXPECT_EQ(send("DATA\r\n"), "354 End data with <CR><LF>.<CR><LF>\r\n");
    send("Subject: s\r\n\r\nx\r\n.\r\n");
    EXPECT_EQ(last.action.kind, ActionKind::commit_message);
}

TEST_F(DataChunksTest, AChunkedMessageCommitsItsRestWithItsHeaderSection) {
    begin();
    send("DATA\r\n");
    send("From: sender@example.com\r\nSubject: s\r\n\r\npart one\r\n");
    ASSERT_TRUE(session->transaction());
    EXPECT_EQ(session->data_held(), 50u);
    EXPECT_EQ(session->take_data_chunk().size(), 50u);
    send("part two\r\n.\r\n");
    ASSERT_EQ(last.action.kind, ActionKind::commit_message);
    EXPECT_TRUE(last.action.chunked);
    EXPECT_EQ(last.action.body, "part two\r\n");
    EXPECT_EQ(last.action.headers(), "From: sender@example.com\r\nSubject: s\r\n\r\n");
}

TEST_F(DataChunksTest, AChunkedMessageWithAHugeHeaderSectionIsRefused) {
    begin();
    send("DATA\r\n");
    send("X-Pad: " + std::string(DataReader::kHeadBytes, 'p') + "\r\n");
    session->take_data_chunk();
    EXPECT_EQ(send("From: ceo@victim.example\r\n\r\nx\r\n.\r\n"),
              "552 5.3.4 Message header section too large (at most 64 KiB)\r\n");
    EXPECT_EQ(last.action.kind, ActionKind::none);
}

// Whether a message is written out as it comes depends on the load: the answer does not.
TEST_F(DataChunksTest, AHugeHeaderSectionIsRefusedKeptWholeToo) {
    begin();
    send("DATA\r\n");
    EXPECT_EQ(send("X-Pad: " + std::string(DataReader::kHeadBytes, 'p') +
                   "\r\nFrom: sender@example.com\r\n\r\nx\r\n.\r\n"),
              "552 5.3.4 Message header section too large (at most 64 KiB)\r\n");
    EXPECT_EQ(last.action.kind, ActionKind::none);
    send("MAIL FROM:<sender@example.com>\r\nRCPT TO:<a@dest.test>\r\nDATA\r\n");
    send("X-Pad: " + std::string(DataReader::kHeadBytes - 100, 'p') +
         "\r\nFrom: sender@example.com\r\n\r\nx\r\n.\r\n");
    EXPECT_EQ(last.action.kind, ActionKind::commit_message);
}

TEST_F(DataChunksTest, EachDataPhaseIsCounted) {
    begin();
    EXPECT_EQ(session->data_started(), 0u);
    send("DATA\r\nSubject: s\r\n\r\nx\r\n.\r\n");
    EXPECT_EQ(session->data_started(), 1u);
}

TEST_F(DataChunksTest, AMessageRefusedWhileReadGetsItsReplyAtTheEnd) {
    begin();
    send("DATA\r\n");
    send("Subject: s\r\n\r\nsome\r\n");
    session->refuse_data(replies::storage_error());
    EXPECT_EQ(send("more\r\n.\r\n"), "451 4.3.0 Queue write error, try again later\r\n");
    EXPECT_EQ(last.action.kind, ActionKind::none);
    EXPECT_EQ(send("MAIL FROM:<sender@example.com>\r\n"), "250 Mail Ok\r\n"); // a new transaction
}

} // namespace mailpush::smtp::test
