// A recipient list's alias and a sender address never name the same mailbox, compared as alias
// lookups compare (the whole address lowercased), whichever is created first.
#include "temp_dir.hpp"

#include "mailpush/store/store.hpp"

#include <gtest/gtest.h>

namespace mailpush::store {
namespace {

class AliasSenderCollision : public ::testing::Test {
protected:
    test_support::TempDir temp{"mailpush-alias"};
    std::unique_ptr<Store> store;
    void SetUp() override {
        StoreLimits l;
        l.password_cost = {64, 1};
        store = std::make_unique<Store>((temp.path() / "s.db").string(), l, "cn-hangzhou");
        store->add_account("acme");
        store->add_domain("acme", "own.com");
    }
    void TearDown() override { store.reset(); }
    static std::string conflict_of(auto&& f) {
        try {
            f();
        } catch (const StoreError& e) {
            return e.kind() == ErrorKind::conflict ? e.what() : "not a conflict";
        }
        return "no error";
    }
};

TEST_F(AliasSenderCollision, AnAliasEqualToASenderButForCaseIsRefused) {
    store->add_address("acme", "News@own.com", "");
    EXPECT_EQ(conflict_of([&] { store->add_receiver_list("acme", "news", "news@own.com", ""); }),
              "the alias is a sender address");
    EXPECT_EQ(conflict_of([&] { store->add_receiver_list("acme", "news", "NEWS@OWN.COM", ""); }),
              "the alias is a sender address");
    EXPECT_FALSE(store->directory()->is_alias("news@own.com"));
}

TEST_F(AliasSenderCollision, ASenderEqualToAnAliasButForCaseIsRefused) {
    store->add_receiver_list("acme", "team", "team@own.com", "");
    for (const char* address : {"team@own.com", "Team@own.com", "TEAM@own.com"})
        EXPECT_EQ(conflict_of([&] { store->add_address("acme", address, ""); }),
                  std::string("the address is a recipient list's alias: ") + address);
    EXPECT_TRUE(store->directory()->is_alias("Team@own.com"));
    EXPECT_EQ(store->directory()->sender("team@own.com"), nullptr);
}

} // namespace
} // namespace mailpush::store
