// The nonce cache, its window and its per-key bound, on an injected clock (seconds).
#include "mailpush/openapi/nonce_cache.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace mailpush::openapi;

TEST(NonceCache, ReplayWithinTheWindowIsRefusedAndOldNoncesAreForgotten) {
    NonceCache cache(1800, 3);
    EXPECT_EQ(cache.use("k", "n1", 1000), NonceVerdict::fresh);
    EXPECT_EQ(cache.use("k", "n1", 1001), NonceVerdict::replayed);
    EXPECT_EQ(cache.use("other", "n1", 1001), NonceVerdict::fresh);       // scoped by key
    EXPECT_EQ(cache.use("k", "n1", 1000 + 1800), NonceVerdict::replayed); // the window's last second
    EXPECT_EQ(cache.use("k", "n1", 1000 + 1801), NonceVerdict::fresh);    // out of the window
}

TEST(NonceCache, OneKeyAtItsBoundIsRefusedWhileOtherKeysAreServed) {
    NonceCache cache(1800, 3);
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(cache.use("greedy", "n" + std::to_string(i), 1000), NonceVerdict::fresh);
    // At the bound: refused, never accepted by forgetting an old nonce early (that could be a
    // replay of it).
    EXPECT_EQ(cache.use("greedy", "n3", 1001), NonceVerdict::full);
    EXPECT_EQ(cache.use("greedy", "n0", 1001), NonceVerdict::replayed);
    EXPECT_EQ(cache.held("greedy"), 3u);
    // Every other key still has its whole budget.
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(cache.use("quiet", "n" + std::to_string(i), 1002), NonceVerdict::fresh);
    EXPECT_EQ(cache.use("third", "n0", 1002), NonceVerdict::fresh);
    // Once the greedy key's nonces leave the window, it is served again.
    EXPECT_EQ(cache.use("greedy", "n3", 1000 + 1801), NonceVerdict::fresh);
    EXPECT_EQ(cache.held("greedy"), 1u);
}

TEST(NonceCache, AKeyWhoseNoncesAllExpiredHoldsNothing) {
    NonceCache cache(10, 5);
    EXPECT_EQ(cache.use("a", "x", 100), NonceVerdict::fresh);
    EXPECT_EQ(cache.use("b", "y", 200), NonceVerdict::fresh); // expires a's nonce on the way
    EXPECT_EQ(cache.held("a"), 0u);
    EXPECT_EQ(cache.held("b"), 1u);
}

TEST(NonceCache, KeyAndNonceCannotBeShiftedIntoEachOther) {
    NonceCache cache(1800, 10);
    EXPECT_EQ(cache.use("ab", "c", 1), NonceVerdict::fresh);
    EXPECT_EQ(cache.use("a", "bc", 1), NonceVerdict::fresh);
}
