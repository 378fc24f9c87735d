// A body written to the spool's file as it arrives: committed in place (the header into the room
// kept in front) or, when the envelope grew past that room, copied into a new file.
#include "temp_dir.hpp"

#include "mailpush/spool/spool.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>

namespace mailpush::spool {
namespace {
smtp::Envelope envelope(std::size_t recipients) {
    smtp::Envelope e;
    e.mail_from = e.auth_user = "s@example.com";
    e.helo = "client.test";
    for (std::size_t i = 0; i < recipients; ++i)
        e.recipients.push_back({"r" + std::to_string(i) + "@dest.test", "", ""});
    return e;
}

class BodyFileTest : public ::testing::Test {
protected:
    test_support::TempDir temp{"mailpush-body-file"};
    Spool spool{{temp.path(), 1, 0, "", "mx.test"}};
    void SetUp() override {
        spool.recover();
        spool.start();
    }

    // Commits "head" + the parts (the first ones on file) with `env`; the stored body.
    std::pair<smtp::CommitResult, std::string> commit(smtp::Envelope env, const std::string& head,
                                                      const std::string& on_file, const std::string& tail) {
        auto file = spool.open_body_file(envelope(1), "127.0.0.1");
        EXPECT_TRUE(file);
        EXPECT_TRUE(file->append(head));
        EXPECT_TRUE(file->append(on_file));
        CommitRequest r{std::move(env), tail, "127.0.0.1", std::move(file), head};
        std::promise<smtp::CommitResult> p;
        spool.submit(std::move(r), [&](smtp::CommitResult res) { p.set_value(res); });
        const auto result = p.get_future().get();
        return {result, spool.read_body(result.envid).value_or("")};
    }
    std::size_t files_in_tmp() const {
        return static_cast<std::size_t>(std::distance(
            std::filesystem::directory_iterator(temp.path() / "tmp"), std::filesystem::directory_iterator()));
    }
};

TEST_F(BodyFileTest, TheHeaderGoesIntoTheRoomAndTheSameFileIsQueued) {
    const std::string head = "Subject: big\r\nMessage-ID: <m@x>\r\n\r\n";
    const std::string middle(300'000, 'x'), tail = "\r\nend\r\n";
    const auto [result, body] = commit(envelope(1), head, middle, tail);
    ASSERT_TRUE(result.ok);
    EXPECT_TRUE(body.starts_with("Received: from client.test"));
    EXPECT_TRUE(body.ends_with(head + middle + tail));
    EXPECT_EQ(body.find("Message-ID:"), body.rfind("Message-ID:")); // it had one: none added
    const auto entry = spool.find(result.envid);
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->size, body.size());
    EXPECT_EQ(files_in_tmp(), 0u);
}

TEST_F(BodyFileTest, AnEnvelopeGrownPastTheRoomIsCopiedIntoANewFile) {
    const std::string head = "Subject: list\r\n\r\n";
    const std::string middle(100'000, 'y');
    const auto [result, body] = commit(envelope(500), head, middle, "z\r\n"); // a list's 500 members
    ASSERT_TRUE(result.ok);
    EXPECT_TRUE(body.ends_with(head + middle + "z\r\n"));
    EXPECT_NE(body.find("\r\nMessage-ID: <"), std::string::npos);
    EXPECT_EQ(spool.find(result.envid)->envelope->recipient_count(), 500u);
    EXPECT_EQ(files_in_tmp(), 0u); // the first file is removed with its request
}

TEST_F(BodyFileTest, AnUnusedFileIsRemoved) {
    {
        auto file = spool.open_body_file(envelope(1), "127.0.0.1");
        ASSERT_TRUE(file);
        EXPECT_TRUE(file->append("abc"));
        EXPECT_EQ(file->size(), 3u);
        EXPECT_EQ(files_in_tmp(), 1u);
    }
    EXPECT_EQ(files_in_tmp(), 0u);
}

TEST(InflightBudget, ChargesGrowInStepsAndAreGivenBack) {
    InflightBudget budget(256);
    {
        InflightCharge a(budget);
        EXPECT_TRUE(a.cover(100, 64));
        EXPECT_EQ(a.bytes(), 128u);
        InflightCharge b(budget);
        EXPECT_TRUE(b.cover(128, 64));
        EXPECT_FALSE(b.cover(129, 64)); // 256 taken
        EXPECT_FALSE(budget.has_room(1));
        b.force(300); // bytes already read go over the limit
        EXPECT_EQ(budget.used(), 428u);
    }
    EXPECT_EQ(budget.used(), 0u);
}

} // namespace
} // namespace mailpush::spool
