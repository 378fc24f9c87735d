// The tracking flags of the envelope survive the queue file; a file written without them (as
// older versions did) reads as untracked.
#include "packed.hpp"

#include "mailpush/spool/spool.hpp"

#include <gtest/gtest.h>

namespace mailpush::spool {

TEST(QueueFileTracking, FlagsKeptAndOldFilesReadAsUntracked) {
    QueueEntry e;
    e.envid = 11;
    const auto with = [](bool opens, bool links) {
        return mailpush::testing::packed("news@shop.test", {"a@b.test"}, "news@shop.test", [&](auto& env) {
            env.track_opens = opens;
            env.track_links = links;
        });
    };
    e.envelope = with(false, false);
    const auto plain = encode_queue_file(e, "body\r\n");
    EXPECT_EQ(plain.find("track_"), std::string::npos); // a file as older versions wrote it
    const auto old = decode_queue_file(plain);
    ASSERT_TRUE(old);
    EXPECT_FALSE(old->first.envelope->track_opens());
    EXPECT_FALSE(old->first.envelope->track_links());

    e.envelope = with(true, false);
    const auto opens = decode_queue_file(encode_queue_file(e, "body\r\n"));
    ASSERT_TRUE(opens);
    EXPECT_TRUE(opens->first.envelope->track_opens());
    EXPECT_FALSE(opens->first.envelope->track_links());

    e.envelope = with(false, true);
    const auto links = decode_queue_file(encode_queue_file(e, "body\r\n"));
    ASSERT_TRUE(links);
    EXPECT_FALSE(links->first.envelope->track_opens());
    EXPECT_TRUE(links->first.envelope->track_links());
    EXPECT_EQ(links->second, "body\r\n");
}

} // namespace mailpush::spool
