#include "mailpush/delivery/delivery_log.hpp"

#include <gtest/gtest.h>

#include <filesystem>

using namespace mailpush::delivery;

namespace {
RecipientUpdate final_update(std::uint64_t envid, int idx, const std::string& address,
                             std::int64_t ended_ms) {
    RecipientUpdate u;
    u.record = {envid, idx, address, RcptState::delivered, 1, 0, "250 ok", "SendOk", 0};
    u.attempt = {envid, idx, ended_ms - 10, ended_ms, "capture:x", "250 ok"};
    u.event = "env_id=" + std::to_string(envid);
    return u;
}
} // namespace

TEST(DeliveryLog, PruneForgetsOnlyFinishedMessagesPastTheCutoff) {
    const auto dir = std::filesystem::temp_directory_path() / "mailpush-delivery-log-prune";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    {
        DeliveryLog log((dir / "d.db").string());
        log.ensure_recipients(1, {"old@example.org"});
        log.ensure_recipients(2, {"new@example.org"});
        log.ensure_recipients(3, {"done@example.org", "waiting@example.org"});
        log.apply({final_update(1, 0, "old@example.org", 1'000), final_update(2, 0, "new@example.org", 5'000),
                   final_update(3, 0, "done@example.org", 1'000)});
        EXPECT_EQ(log.prune(2'000), 1u); // message 3 still has a pending recipient
        EXPECT_TRUE(log.events(1).empty());
        EXPECT_TRUE(log.recipients(1).empty());
        EXPECT_TRUE(log.attempts(1).empty());
        EXPECT_EQ(log.events(2).size(), 1u);
        EXPECT_EQ(log.recipients(3).size(), 2u);
        EXPECT_EQ(log.pending().size(), 1u);
        EXPECT_EQ(log.prune(2'000), 0u); // idempotent
    }
    std::filesystem::remove_all(dir);
}
