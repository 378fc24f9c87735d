// The acceptance-side traffic rules: the meter's windows against an injected clock, the
// override table, the block filters and order, and the store's overrides, blocks and paging.
#include "temp_dir.hpp"

#include "mailpush/store/store.hpp"
#include "mailpush/store/traffic.hpp"
#include "mailpush/store/traffic_meter.hpp"

#include <gtest/gtest.h>

#include <ctime>

namespace mailpush::store {
namespace {
using std::chrono::seconds;

const RateRule kThreePerMinute{3, seconds{60}};

TEST(TrafficMeterRate, OffAlwaysFits) {
    TrafficMeter m;
    for (int i = 0; i < 1000; ++i)
        EXPECT_TRUE(m.reserve_submission("acc", RateRule{0, seconds{60}}, 0));
    EXPECT_TRUE(m.submission_allowed("acc", RateRule{0, seconds{60}}, 0));
}

TEST(TrafficMeterRate, BurstThenRefillAtTheRate) {
    TrafficMeter m;
    const std::int64_t t0 = 1'000'000;
    for (int i = 0; i < 3; ++i)
        EXPECT_TRUE(m.reserve_submission("acc", kThreePerMinute, t0)) << i;
    EXPECT_FALSE(m.submission_allowed("acc", kThreePerMinute, t0));
    EXPECT_FALSE(m.reserve_submission("acc", kThreePerMinute, t0));
    EXPECT_EQ(m.submission_wait_ms("acc", kThreePerMinute, t0), 20'000); // one slot per 60 s / 3
    EXPECT_TRUE(m.submission_allowed("other", kThreePerMinute, t0));     // accounts apart
    EXPECT_FALSE(m.submission_allowed("acc", kThreePerMinute, t0 + 19'999));
    EXPECT_TRUE(m.submission_allowed("acc", kThreePerMinute, t0 + 20'000));
    EXPECT_TRUE(m.reserve_submission("acc", kThreePerMinute, t0 + 20'000));
    EXPECT_FALSE(m.reserve_submission("acc", kThreePerMinute, t0 + 20'000));
    // A whole idle window later the burst is back, but not more than the limit.
    const std::int64_t later = t0 + 200'000;
    for (int i = 0; i < 3; ++i)
        EXPECT_TRUE(m.reserve_submission("acc", kThreePerMinute, later)) << i;
    EXPECT_FALSE(m.reserve_submission("acc", kThreePerMinute, later));
}

TEST(TrafficMeterRate, ReleaseGivesTheSlotBack) {
    TrafficMeter m;
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(m.reserve_submission("acc", kThreePerMinute, 0));
    EXPECT_FALSE(m.submission_allowed("acc", kThreePerMinute, 0));
    m.release_submission("acc", kThreePerMinute); // the commit failed
    EXPECT_TRUE(m.reserve_submission("acc", kThreePerMinute, 0));
    EXPECT_FALSE(m.reserve_submission("acc", kThreePerMinute, 0));
}

TEST(TrafficMeterRate, AChangedRuleKeepsTheCountNotTheTime) {
    TrafficMeter m;
    for (int i = 0; i < 2; ++i)
        ASSERT_TRUE(m.reserve_submission("acc", RateRule{2, seconds{60}}, 0));
    // Raised to 3 per minute: the two counted leave exactly one slot.
    const RateRule three{3, seconds{60}};
    EXPECT_TRUE(m.reserve_submission("acc", three, 0));
    EXPECT_FALSE(m.reserve_submission("acc", three, 0));
    // Lowered to 1 per minute: the three counted must drain at the new rate first.
    const RateRule one{1, seconds{60}};
    EXPECT_FALSE(m.submission_allowed("acc", one, 0));
    EXPECT_EQ(m.submission_wait_ms("acc", one, 0), 180'000); // three owed at 60 s each
    EXPECT_FALSE(m.submission_allowed("acc", one, 179'999));
    EXPECT_TRUE(m.submission_allowed("acc", one, 180'000));
}

const RateRule kTwoPer100s{2, seconds{100}};

TEST(TrafficMeterFatigue, BlockedAfterTheLimitUntilTheWindowEnds) {
    TrafficMeter m;
    EXPECT_FALSE(m.check_fatigue("acc", "s@shop.example", "r@x.example", kTwoPer100s, 1000).blocked);
    m.count_fatigue("acc", "s@shop.example", "r@x.example", kTwoPer100s, 1000); // window 1000..1100
    EXPECT_FALSE(m.check_fatigue("acc", "s@shop.example", "r@x.example", kTwoPer100s, 1050).blocked);
    m.count_fatigue("acc", "s@shop.example", "r@x.example", kTwoPer100s, 1050);
    EXPECT_TRUE(m.take_new_blocks().empty()); // the limit reached, not passed: no block yet

    const auto v = m.check_fatigue("acc", "S@Shop.example", "R@X.example", kTwoPer100s, 1060); // any case
    EXPECT_TRUE(v.blocked);
    EXPECT_EQ(v.until_s, 1100);
    auto blocks = m.take_new_blocks();
    ASSERT_EQ(blocks.size(), 1u);
    EXPECT_EQ(blocks[0].type, BlockType::freq);
    EXPECT_EQ(blocks[0].sender, "s@shop.example");
    EXPECT_EQ(blocks[0].recipient, "r@x.example");
    EXPECT_EQ(blocks[0].block_s, 1060);
    EXPECT_EQ(blocks[0].until_s, 1100);
    EXPECT_EQ(blocks[0].reason, kReasonTooFrequent);

    // Still blocked, one block only; other senders and recipients are not.
    EXPECT_TRUE(m.check_fatigue("acc", "s@shop.example", "r@x.example", kTwoPer100s, 1099).blocked);
    EXPECT_TRUE(m.take_new_blocks().empty());
    EXPECT_FALSE(m.check_fatigue("acc", "t@shop.example", "r@x.example", kTwoPer100s, 1099).blocked);
    EXPECT_FALSE(m.check_fatigue("acc", "s@shop.example", "q@x.example", kTwoPer100s, 1099).blocked);
    EXPECT_FALSE(m.check_fatigue("other", "s@shop.example", "r@x.example", kTwoPer100s, 1099).blocked);

    // The window's end lifts it, and the next message opens a new window.
    EXPECT_FALSE(m.check_fatigue("acc", "s@shop.example", "r@x.example", kTwoPer100s, 1100).blocked);
    m.count_fatigue("acc", "s@shop.example", "r@x.example", kTwoPer100s, 1100);
    EXPECT_FALSE(m.check_fatigue("acc", "s@shop.example", "r@x.example", kTwoPer100s, 1101).blocked);
}

TEST(TrafficMeterFatigue, OffCountsNothing) {
    TrafficMeter m;
    const RateRule off{0, seconds{100}};
    for (int i = 0; i < 10; ++i)
        m.count_fatigue("acc", "s@a.example", "r@b.example", off, 1000);
    EXPECT_EQ(m.pairs(), 0u);
    EXPECT_FALSE(m.check_fatigue("acc", "s@a.example", "r@b.example", kTwoPer100s, 1000).blocked);
}

TEST(TrafficMeterFatigue, ClearLiftsTheBlockAndResetsTheWindow) {
    TrafficMeter m;
    m.count_fatigue("acc", "s@a.example", "r@b.example", kTwoPer100s, 0);
    m.count_fatigue("acc", "s@a.example", "r@b.example", kTwoPer100s, 0);
    ASSERT_TRUE(m.check_fatigue("acc", "s@a.example", "r@b.example", kTwoPer100s, 10).blocked);
    m.check_fatigue("acc", "s@a.example", "r@b.example", kTwoPer100s, 11);
    EXPECT_TRUE(m.clear_fatigue("acc", "S@a.example", "r@b.example", 12));
    EXPECT_TRUE(m.take_new_blocks().empty()); // the unpersisted block went with it
    EXPECT_FALSE(m.check_fatigue("acc", "s@a.example", "r@b.example", kTwoPer100s, 12).blocked);
    // A fresh window: two more fit before the next block.
    m.count_fatigue("acc", "s@a.example", "r@b.example", kTwoPer100s, 12);
    EXPECT_FALSE(m.check_fatigue("acc", "s@a.example", "r@b.example", kTwoPer100s, 13).blocked);
    m.count_fatigue("acc", "s@a.example", "r@b.example", kTwoPer100s, 13);
    EXPECT_TRUE(m.check_fatigue("acc", "s@a.example", "r@b.example", kTwoPer100s, 14).blocked);
    EXPECT_FALSE(m.clear_fatigue("acc", "nobody@a.example", "r@b.example", 14));
}

TEST(TrafficMeterFatigue, RestoredBlockHoldsUntilItsEnd) {
    TrafficMeter m;
    m.restore_block(
        {BlockType::freq, "acc", "s@a.example", "r@b.example", 100, 100, 500, kReasonTooFrequent});
    EXPECT_TRUE(m.check_fatigue("acc", "s@a.example", "r@b.example", kTwoPer100s, 499).blocked);
    // Even with the rule turned off since: the user sees it listed and lifts it.
    EXPECT_TRUE(m.check_fatigue("acc", "s@a.example", "r@b.example", RateRule{0, seconds{1}}, 499).blocked);
    EXPECT_FALSE(m.check_fatigue("acc", "s@a.example", "r@b.example", kTwoPer100s, 500).blocked);
    EXPECT_TRUE(m.take_new_blocks().empty());
}

TEST(TrafficMeterFatigue, ExpiredPairsArePruned) {
    TrafficMeter m;
    const RateRule rule{5, seconds{10}};
    for (int i = 0; i < 1023; ++i)
        m.count_fatigue("acc", "s@a.example", "r" + std::to_string(i) + "@b.example", rule, 0);
    EXPECT_EQ(m.pairs(), 1023u);
    m.count_fatigue("acc", "s@a.example", "last@b.example", rule, 100); // the 1024th new pair: a sweep
    EXPECT_EQ(m.pairs(), 1u);
}

TEST(TrafficMeterFatigue, SweepsGetRarerAsLivePairsGrowSoTheirCostIsAmortised) {
    TrafficMeter m;
    const RateRule rule{5, seconds{3600}};
    const auto add = [&](const std::string& prefix, int from, int to, std::int64_t now) {
        for (int i = from; i < to; ++i)
            m.count_fatigue("acc", "s@a.example", prefix + std::to_string(i) + "@b.example", rule, now);
    };
    add("r", 0, 4096, 0); // live: the sweeps at 1024, 2048 and 4096 new pairs keep them all
    ASSERT_EQ(m.pairs(), 4096u);
    // At t=5000 all of them have expired, but with 5120 pairs held the next sweep waits for
    // 2560+ new ones since the last, not for 1024.
    add("n", 0, 1024, 5000);
    EXPECT_EQ(m.pairs(), 5120u);
    // By the time as many new pairs as were held have come, a sweep has dropped the expired ones.
    add("n", 1024, 4096, 5000);
    EXPECT_LE(m.pairs(), 4096u);
}

TEST(TrafficMeter, ForgetAccountDropsItsStateOnly) {
    TrafficMeter m;
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(m.reserve_submission("acc", kThreePerMinute, 0));
    m.count_fatigue("acc", "s@a.example", "r@b.example", kTwoPer100s, 0);
    m.count_fatigue("acc", "s@a.example", "r@b.example", kTwoPer100s, 0);
    m.count_fatigue("acc2", "s@a.example", "r@b.example", kTwoPer100s, 0);
    m.count_fatigue("acc2", "s@a.example", "r@b.example", kTwoPer100s, 0);
    ASSERT_TRUE(m.check_fatigue("acc", "s@a.example", "r@b.example", kTwoPer100s, 1).blocked);
    m.forget_account("acc");
    EXPECT_TRUE(m.take_new_blocks().empty());
    EXPECT_TRUE(m.submission_allowed("acc", kThreePerMinute, 0));
    EXPECT_FALSE(m.check_fatigue("acc", "s@a.example", "r@b.example", kTwoPer100s, 1).blocked);
    EXPECT_TRUE(m.check_fatigue("acc2", "s@a.example", "r@b.example", kTwoPer100s, 1).blocked); // "acc2" kept
}

TEST(TrafficRules, OverridesWinOverDefaults) {
    TrafficDefaults d{100, seconds{60}, 5, seconds{3600}};
    TrafficOverrides o;
    auto r = resolve_traffic(d, o);
    EXPECT_EQ(r.submission.limit, 100u);
    EXPECT_EQ(r.fatigue.window, seconds{3600});
    o.submission_rate = 0;
    o.fatigue_window = seconds{60};
    r = resolve_traffic(d, o);
    EXPECT_TRUE(r.submission.off());
    EXPECT_EQ(r.fatigue.limit, 5u);
    EXPECT_EQ(r.fatigue.window, seconds{60});
}

TEST(TrafficRules, FieldTableSetsClearsAndRefuses) {
    TrafficOverrides o;
    for (const auto& f : traffic_fields()) {
        EXPECT_FALSE(traffic_value(o, f.name)) << f.name;
        EXPECT_TRUE(set_traffic_value(o, f.name, f.max)) << f.name;
        EXPECT_EQ(traffic_value(o, f.name), f.max) << f.name;
        EXPECT_FALSE(set_traffic_value(o, f.name, f.max + 1)) << f.name;
        EXPECT_FALSE(set_traffic_value(o, f.name, f.min - 1)) << f.name;
        EXPECT_EQ(traffic_value(o, f.name), f.max) << f.name; // a refused value changes nothing
    }
    EXPECT_EQ(o.submission_window, seconds{86'400});
    EXPECT_EQ(o.warmup, true);
    EXPECT_TRUE(set_traffic_value(o, "fatigue_limit", std::nullopt));
    EXPECT_FALSE(o.fatigue_limit);
    EXPECT_FALSE(set_traffic_value(o, "no_such_field", 1));
    EXPECT_FALSE(find_traffic_field("no_such_field"));
}

TEST(Blocks, TypesFilterAndOrder) {
    for (auto t : {BlockType::unsub, BlockType::report, BlockType::freq})
        EXPECT_EQ(parse_block_type(to_string(t)), t);
    EXPECT_FALSE(parse_block_type("unsub"));
    EXPECT_EQ(block_reason(BlockType::unsub), 1);
    EXPECT_EQ(block_reason(BlockType::report), 0);
    EXPECT_EQ(block_reason(BlockType::freq), 3);

    const Block b{BlockType::freq, "acc", "s@a.example", "r@b.example", 100, 100, 200, 4};
    EXPECT_TRUE((BlockFilter{}).matches(b));
    EXPECT_FALSE((BlockFilter{BlockType::unsub, "", "", 0, 0}).matches(b));
    EXPECT_TRUE((BlockFilter{BlockType::freq, "S@A.example", "R@b.example", 100, 100}).matches(b));
    EXPECT_FALSE((BlockFilter{std::nullopt, "t@a.example", "", 0, 0}).matches(b));
    EXPECT_FALSE((BlockFilter{std::nullopt, "", "", 101, 0}).matches(b));
    EXPECT_FALSE((BlockFilter{std::nullopt, "", "", 0, 99}).matches(b));

    Block newer = b;
    newer.block_s = 150;
    Block other = b;
    other.recipient = "a@b.example";
    EXPECT_TRUE(block_before(newer, b));
    EXPECT_TRUE(block_before(other, b)); // same time: by recipient
    EXPECT_FALSE(block_before(b, b));
}

class TrafficStoreTest : public ::testing::Test {
protected:
    test_support::TempDir temp{"mailpush-traffic"};
    std::unique_ptr<Store> store;
    StoreLimits limits;
    std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    void open() {
        store.reset();
        store = std::make_unique<Store>((temp.path() / "s.db").string(), limits, "cn-hangzhou");
    }
    void SetUp() override {
        limits.password_cost = {64, 1};
        limits.traffic = {100, seconds{60}, 2, seconds{3600}};
        open();
        store->add_account("acc");
        store->add_account("other");
    }
    // Two messages counted and a third attempt: a FREQ block of sender -> rcpt.
    void block(const std::string& sender, const std::string& rcpt, std::int64_t at) {
        const auto rule = store->directory()->traffic_rules("acc").fatigue;
        store->traffic().count_fatigue("acc", sender, rcpt, rule, at);
        store->traffic().count_fatigue("acc", sender, rcpt, rule, at);
        ASSERT_TRUE(store->traffic().check_fatigue("acc", sender, rcpt, rule, at).blocked);
    }
};

TEST_F(TrafficStoreTest, OverridesAreStoredAndInTheDirectory) {
    EXPECT_EQ(store->directory()->traffic_rules("acc").submission.limit, 100u);
    store->set_traffic_overrides("acc", {{"submission_rate", 5}, {"fatigue_window", 60}, {"warmup", 1}});
    auto dir = store->directory();
    EXPECT_EQ(dir->traffic_rules("acc").submission.limit, 5u);
    EXPECT_EQ(dir->traffic_rules("acc").fatigue.window, seconds{60});
    EXPECT_EQ(dir->traffic("acc").warmup, true);
    EXPECT_EQ(dir->traffic_rules("other").submission.limit, 100u);
    EXPECT_FALSE(dir->traffic("other").warmup);

    // All or nothing: one bad field and nothing changes.
    EXPECT_THROW(store->set_traffic_overrides("acc", {{"submission_rate", 7}, {"fatigue_limit", -1}}),
                 StoreError);
    EXPECT_THROW(store->set_traffic_overrides("acc", {{"speed", 1}}), StoreError);
    EXPECT_THROW(store->set_traffic_overrides("nobody", {{"submission_rate", 1}}), StoreError);
    EXPECT_EQ(store->directory()->traffic_rules("acc").submission.limit, 5u);

    store->set_traffic_overrides("acc", {{"submission_rate", std::nullopt}}); // back to the default
    open();
    dir = store->directory();
    EXPECT_EQ(dir->traffic_rules("acc").submission.limit, 100u);
    EXPECT_EQ(dir->traffic("acc").fatigue_window, seconds{60}); // kept across a restart
}

TEST_F(TrafficStoreTest, FreqBlocksSurviveARestartAndUnblockLiftsThem) {
    block("s@shop.example", "r@x.example", now);
    auto rows = store->list_blocks("acc", {}, now);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].type, BlockType::freq);
    EXPECT_EQ(rows[0].until_s, now + 3600);
    EXPECT_TRUE(store->list_blocks("other", {}, now).empty());

    open(); // the counts are forgotten, the block is not
    const auto rule = store->directory()->traffic_rules("acc").fatigue;
    EXPECT_TRUE(
        store->traffic().check_fatigue("acc", "s@shop.example", "r@x.example", rule, now + 1).blocked);
    ASSERT_EQ(store->list_blocks("acc", {}, now + 1).size(), 1u);
    EXPECT_TRUE(store->list_blocks("acc", {}, now + 3600).empty()); // expired rows are not listed

    EXPECT_THROW(store->unblock("acc", BlockType::freq, "t@shop.example", "r@x.example", now + 2),
                 StoreError);
    store->unblock("acc", BlockType::freq, "S@shop.example", "R@x.example", now + 2);
    EXPECT_FALSE(
        store->traffic().check_fatigue("acc", "s@shop.example", "r@x.example", rule, now + 2).blocked);
    EXPECT_TRUE(store->list_blocks("acc", {}, now + 2).empty());
    EXPECT_THROW(store->unblock("acc", BlockType::freq, "s@shop.example", "r@x.example", now + 2),
                 StoreError);
    open();
    EXPECT_TRUE(store->list_blocks("acc", {}, now + 3).empty());
}

TEST_F(TrafficStoreTest, UnsubscribesAndComplaintsAreBlocks) {
    store->add_suppression("acc", "u@x.example", kSourceUnsubscribe,
                           scope_for(FilterLevel::mailfrom, "s@shop.example"), now - 10);
    store->add_suppression("acc", "c@x.example", kSourceComplaint, "", now - 5);
    store->add_suppression("acc", "m@x.example", kSourceManual, "", now); // not a block
    auto rows = store->list_blocks("acc", {}, now);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].type, BlockType::report); // newest first
    EXPECT_EQ(rows[0].sender, "");
    EXPECT_EQ(rows[0].reason, 0);
    EXPECT_EQ(rows[1].type, BlockType::unsub);
    EXPECT_EQ(rows[1].sender, "s@shop.example");
    EXPECT_EQ(rows[1].reason, 1);
    EXPECT_EQ(rows[1].send_s, now - 10);
    EXPECT_EQ(store->list_blocks("acc", BlockFilter{BlockType::unsub, "", "", 0, 0}, now).size(), 1u);

    // UNSUB of another sender does not match; the right one removes the entry.
    EXPECT_THROW(store->unblock("acc", BlockType::unsub, "t@shop.example", "u@x.example", now), StoreError);
    EXPECT_THROW(store->unblock("acc", BlockType::report, "s@shop.example", "u@x.example", now), StoreError);
    store->unblock("acc", BlockType::unsub, "s@shop.example", "u@x.example", now);
    EXPECT_FALSE(
        store->directory()->suppressed("acc", "u@x.example", "s@shop.example", FilterLevel::mailfrom));
    // An account-wide complaint stops every sender, so any sender's unblock lifts it.
    store->unblock("acc", BlockType::report, "any@shop.example", "c@x.example", now);
    EXPECT_TRUE(store->list_blocks("acc", {}, now).empty());
}

TEST_F(TrafficStoreTest, PagesAndTamperSafeTokens) {
    for (int i = 0; i < 5; ++i)
        block("s@shop.example", "r" + std::to_string(i) + "@x.example", now + i);
    auto first = store->block_page("acc", {}, 2, "", now + 10);
    ASSERT_EQ(first.rows.size(), 2u);
    EXPECT_EQ(first.rows[0].recipient, "r4@x.example");
    ASSERT_FALSE(first.next_token.empty());
    auto second = store->block_page("acc", {}, 2, first.next_token, now + 10);
    ASSERT_EQ(second.rows.size(), 2u);
    EXPECT_EQ(second.rows[0].recipient, "r2@x.example");
    auto last = store->block_page("acc", {}, 2, second.next_token, now + 10);
    ASSERT_EQ(last.rows.size(), 1u);
    EXPECT_EQ(last.rows[0].recipient, "r0@x.example");
    EXPECT_TRUE(last.next_token.empty());

    std::string tampered = first.next_token;
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
    EXPECT_THROW(store->block_page("acc", {}, 2, tampered, now + 10), StoreError);
    EXPECT_THROW(store->block_page("acc", {}, 2, "not a token", now + 10), StoreError);
    EXPECT_THROW(store->block_page("other", {}, 2, first.next_token, now + 10),
                 StoreError); // another account
    EXPECT_THROW(
        store->block_page("acc", BlockFilter{BlockType::freq, "", "", 0, 0}, 2, first.next_token, now + 10),
        StoreError); // another query
}

} // namespace
} // namespace mailpush::store
