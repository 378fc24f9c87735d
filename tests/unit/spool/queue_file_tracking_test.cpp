// The tracking flags of the envelope survive the queue file; a file written without them (as
// older versions did) reads as untracked.
#include "mailpush/spool/spool.hpp"

#include <gtest/gtest.h>

namespace mailpush::spool {

TEST(QueueFileTracking, FlagsKeptAndOldFilesReadAsUntracked) {
    QueueEntry e;
    e.envid = 11;
    e.envelope.mail_from = e.envelope.auth_user = "news@shop.test";
    e.envelope.recipients = {{"a@b.test", "", ""}};
    const auto plain = encode_queue_file(e, "body\r\n");
    EXPECT_EQ(plain.find("track_"), std::string::npos); // a file as older versions wrote it
    const auto old = decode_queue_file(plain);
    ASSERT_TRUE(old);
    EXPECT_FALSE(old->first.envelope.track_opens);
    EXPECT_FALSE(old->first.envelope.track_links);

    e.envelope.track_opens = true;
    const auto opens = decode_queue_file(encode_queue_file(e, "body\r\n"));
    ASSERT_TRUE(opens);
    EXPECT_TRUE(opens->first.envelope.track_opens);
    EXPECT_FALSE(opens->first.envelope.track_links);

    e.envelope.track_opens = false;
    e.envelope.track_links = true;
    const auto links = decode_queue_file(encode_queue_file(e, "body\r\n"));
    ASSERT_TRUE(links);
    EXPECT_FALSE(links->first.envelope.track_opens);
    EXPECT_TRUE(links->first.envelope.track_links);
    EXPECT_EQ(links->second, "body\r\n");
}

} // namespace mailpush::spool
