// Tracking in the store: the first key at first open, rotation (the new key signs, the old one
// verifies until its retention has passed), no secret in listings, and the domains whose
// tracking record verified in the Directory snapshot.
#include "temp_dir.hpp"

#include "mailpush/common/calendar.hpp"
#include "mailpush/store/store.hpp"
#include "mailpush/store/tracking_keys.hpp"

#include <gtest/gtest.h>

namespace mailpush::store {
namespace {

using namespace std::chrono_literals;

class TrackingStore : public ::testing::Test {
protected:
    test_support::TempDir temp{"mailpush-tracking"};
    StoreLimits limits;
    std::unique_ptr<Store> open() {
        limits.password_cost = {64, 1};
        return std::make_unique<Store>((temp.path() / "s.db").string(), limits, "cn-hangzhou");
    }
};

TEST_F(TrackingStore, OneKeyAtFirstOpenKeptAcrossRestarts) {
    std::string secret;
    {
        auto store = open();
        const auto dir = store->directory();
        ASSERT_EQ(dir->tracking_keys.size(), 1u);
        EXPECT_EQ(dir->tracking_keys[0].secret.size(), 32u);
        EXPECT_EQ(dir->tracking_keys[0].retired_s, 0);
        secret = dir->tracking_keys[0].secret;
    }
    auto again = open();
    ASSERT_EQ(again->directory()->tracking_keys.size(), 1u); // no second key at the second open
    EXPECT_EQ(again->directory()->tracking_keys[0].secret, secret);
}

TEST_F(TrackingStore, RotationSignsWithTheNewKeyAndListsNoSecret) {
    auto store = open();
    const auto first = store->directory()->tracking_keys.at(0);
    const std::int64_t now = common::unix_seconds_now();
    const auto made = store->rotate_tracking_key(now);
    EXPECT_GT(made.id, first.id);
    EXPECT_TRUE(made.secret.empty());
    const auto dir = store->directory();
    ASSERT_EQ(dir->tracking_keys.size(), 2u);
    EXPECT_EQ(dir->tracking_keys[0].id, made.id); // the newest signs
    EXPECT_NE(dir->tracking_keys[0].secret, first.secret);
    EXPECT_EQ(dir->tracking_keys[1].secret, first.secret); // the old one still verifies
    EXPECT_EQ(dir->tracking_keys[1].retired_s, now);
    const auto listed = store->list_tracking_keys();
    ASSERT_EQ(listed.size(), 2u);
    for (const auto& k : listed)
        EXPECT_TRUE(k.secret.empty());
    EXPECT_EQ(listed[0].retired_s, 0);
}

TEST_F(TrackingStore, RetiredKeysPastTheRetentionAreDroppedAtTheNextRotation) {
    limits.tracking_key_retention = 100s;
    auto store = open();
    const std::int64_t now = common::unix_seconds_now();
    store->rotate_tracking_key(now - 500); // retires the first key 500 s ago
    store->rotate_tracking_key(now);       // the first key is past the retention: deleted
    const auto listed = store->list_tracking_keys();
    ASSERT_EQ(listed.size(), 2u);
    EXPECT_EQ(listed[1].retired_s, now); // the key made 500 s ago, retired now
    EXPECT_EQ(store->directory()->tracking_keys.size(), 2u);
}

TEST(TrackingKeys, LiveKeysNewestFirstWithoutExpiredOnes) {
    const std::vector<TrackingKeyRecord> keys{{1, "a", 0, 100}, {3, "c", 300, 0}, {2, "b", 100, 300}};
    const auto at_350 = live_tracking_keys(keys, 350, 100s);
    ASSERT_EQ(at_350.size(), 2u); // key 1 retired 250 s ago
    EXPECT_EQ(at_350[0].id, 3u);
    EXPECT_EQ(at_350[1].id, 2u);
    EXPECT_EQ(live_tracking_keys(keys, 399, 100s).size(), 2u);
    EXPECT_EQ(live_tracking_keys(keys, 400, 100s).size(), 1u);           // key 2 at exactly its retention
    EXPECT_FALSE(tracking_key_expired({3, "c", 300, 0}, 1'000'000, 1s)); // the signing key never
}

TEST_F(TrackingStore, TrackingAllowedOnlyForVerifiedRecordsWhenRequired) {
    auto store = open();
    store->add_account("acme");
    store->add_domain("acme", "shop.test");
    store->add_domain("acme", "other.test");
    auto dir = store->directory();
    EXPECT_FALSE(dir->tracking_verified("shop.test"));
    EXPECT_FALSE(dir->tracking_allowed("news@shop.test"));
    store->record_domain_checks("shop.test", {{"tracking", "CNAME", "dmtrace.shop.test", "tracedm.localhost",
                                               "ok", "tracedm.localhost", ""}});
    store->record_domain_checks(
        "other.test", {{"tracking", "CNAME", "dmtrace.other.test", "tracedm.localhost", "missing", "", ""}});
    dir = store->directory();
    EXPECT_TRUE(dir->tracking_verified("SHOP.test"));
    EXPECT_TRUE(dir->tracking_allowed("news@Shop.Test"));
    EXPECT_FALSE(dir->tracking_allowed("news@other.test"));
}

TEST_F(TrackingStore, TrackingAllowedForAnyDomainWhenNotRequired) {
    limits.tracking_requires_cname = false;
    auto store = open();
    EXPECT_TRUE(store->directory()->tracking_allowed("news@unverified.test"));
}

} // namespace
} // namespace mailpush::store
