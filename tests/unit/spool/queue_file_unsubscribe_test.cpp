#include "packed.hpp"

#include "mailpush/spool/spool.hpp"

#include <gtest/gtest.h>

namespace mailpush::spool {

TEST(QueueFileUnsubscribe, LevelKeptAndOldFilesReadAsNone) {
    QueueEntry e;
    e.envid = 9;
    e.envelope = mailpush::testing::packed("news@shop.test", {"a@b.test"}, "news@shop.test");
    const auto plain = encode_queue_file(e, "body\r\n");
    EXPECT_EQ(plain.find("unsubscribe"), std::string::npos); // a file as older versions wrote it
    const auto old = decode_queue_file(plain);
    ASSERT_TRUE(old);
    EXPECT_EQ(old->first.envelope->unsubscribe(), "");
    e.envelope = mailpush::testing::packed("news@shop.test", {"a@b.test"}, "news@shop.test",
                                           [](auto& env) { env.unsubscribe = "mailfrom_domain"; });
    const auto back = decode_queue_file(encode_queue_file(e, "body\r\n"));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->first.envelope->unsubscribe(), "mailfrom_domain");
}

} // namespace mailpush::spool
