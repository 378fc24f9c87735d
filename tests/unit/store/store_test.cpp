#include "mailpush/store/store.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace mailpush::store {
namespace {
class StoreTest : public ::testing::Test {
protected:
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() /
        ("mailpush-store-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::unique_ptr<Store> store;
    void SetUp() override {
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        StoreLimits l;
        l.pbkdf2_iterations = 1000;
        store = std::make_unique<Store>((dir / "s.db").string(), l, "cn-hangzhou");
    }
    void TearDown() override {
        store.reset();
        std::filesystem::remove_all(dir);
    }
    ErrorKind kind_of(auto&& f) {
        try {
            f();
        } catch (const StoreError& e) {
            return e.kind();
        }
        ADD_FAILURE() << "no StoreError";
        return ErrorKind::invalid;
    }
};
} // namespace

TEST(MainDomain, LastTwoLabelsOrKnownSuffix) {
    EXPECT_EQ(main_domain("a.b.example.com"), "example.com");
    EXPECT_EQ(main_domain("Example.COM"), "example.com");
    EXPECT_EQ(main_domain("mail.shop.com.cn"), "shop.com.cn");
    EXPECT_EQ(main_domain("x.co.uk"), "x.co.uk");
}

TEST_F(StoreTest, AccountDomainAddressLifecycle) {
    store->add_account("acme");
    EXPECT_EQ(kind_of([&] { store->add_account("acme"); }), ErrorKind::conflict);
    EXPECT_EQ(kind_of([&] { store->add_account("bad name"); }), ErrorKind::invalid);
    store->add_domain("acme", "Mail.Example.com");
    EXPECT_EQ(store->get_domain("mail.example.com").account, "acme");
    auto a = store->add_address("acme", "Info@MAIL.example.com", "batch");
    EXPECT_EQ(a.address, "Info@mail.example.com");
    EXPECT_EQ(a.type, "batch");
    EXPECT_FALSE(a.has_password);
    EXPECT_EQ(kind_of([&] { store->add_address("acme", "x@other.com", ""); }), ErrorKind::invalid);
    EXPECT_EQ(kind_of([&] { store->add_address("acme", "y@mail.example.com", "spam"); }), ErrorKind::invalid);
    EXPECT_EQ(kind_of([&] { store->remove_domain("mail.example.com"); }), ErrorKind::conflict);
    EXPECT_EQ(kind_of([&] { store->remove_account("acme"); }), ErrorKind::conflict);
}

TEST_F(StoreTest, DomainLimitsAndOwnership) {
    store->add_account("a");
    store->add_account("b");
    for (int i = 0; i < 5; ++i)
        store->add_domain("a", "d" + std::to_string(i) + ".example.com");
    EXPECT_EQ(kind_of([&] { store->add_domain("a", "d5.example.com"); }), ErrorKind::limit);
    // A main domain and all its subdomains belong to one account.
    EXPECT_EQ(kind_of([&] { store->add_domain("b", "example.com"); }), ErrorKind::conflict);
    EXPECT_EQ(kind_of([&] { store->add_domain("b", "x.y.example.com"); }), ErrorKind::conflict);
    EXPECT_EQ(kind_of([&] { store->add_domain("b", "nodot"); }), ErrorKind::invalid);
    store->add_domain("b", "other.org");
}

TEST_F(StoreTest, AddressLimitsAndMonthlyDeletions) {
    store->add_account("a");
    store->add_domain("a", "example.com");
    for (int i = 0; i < 10; ++i)
        store->add_address("a", "u" + std::to_string(i) + "@example.com", "trigger");
    EXPECT_EQ(kind_of([&] { store->add_address("a", "u10@example.com", "trigger"); }), ErrorKind::limit);
    for (int i = 0; i < 4; ++i)
        store->remove_address("u" + std::to_string(i) + "@example.com");
    EXPECT_EQ(kind_of([&] { store->remove_address("u4@example.com"); }), ErrorKind::limit);
    EXPECT_EQ(store->list_addresses("a").size(), 6u);
}

TEST_F(StoreTest, PasswordPolicyAndDirectory) {
    store->add_account("a");
    store->add_domain("a", "example.com");
    store->add_address("a", "s@example.com", "trigger");
    EXPECT_EQ(store->directory()->sender("s@EXAMPLE.com")->password_hash, "");
    EXPECT_EQ(kind_of([&] { store->set_password("s@example.com", "short"); }), ErrorKind::invalid);
    store->set_password("s@example.com", "Secret2026ab");
    EXPECT_EQ(kind_of([&] { store->set_password("s@example.com", "Secret2026ab"); }), ErrorKind::invalid);
    const auto snapshot = store->directory();
    ASSERT_NE(snapshot->sender("s@example.com"), nullptr);
    EXPECT_TRUE(snapshot->sender("s@example.com")->password_hash.starts_with("pbkdf2-sha256$"));
    EXPECT_EQ(snapshot->sender("S@example.com"), nullptr); // local part is exact
    store->set_account_status("a", "suspended");
    EXPECT_FALSE(store->directory()->sender("s@example.com")->account_active);
    EXPECT_EQ(kind_of([&] { store->set_account_status("a", "gone"); }), ErrorKind::invalid);
}

TEST_F(StoreTest, InvalidAddressLibrary) {
    store->add_account("a");
    store->add_invalid("a", "Bad@Dest.test", "SmtpNxBox");
    EXPECT_TRUE(store->directory()->is_invalid("a", "bad@dest.test"));
    EXPECT_FALSE(store->directory()->is_invalid("b", "bad@dest.test"));
    EXPECT_EQ(store->list_invalid("a").at(0).reason, "SmtpNxBox");
    store->remove_invalid("a", "BAD@dest.test");
    EXPECT_FALSE(store->directory()->is_invalid("a", "bad@dest.test"));
    EXPECT_EQ(kind_of([&] { store->remove_invalid("a", "bad@dest.test"); }), ErrorKind::not_found);
    EXPECT_EQ(kind_of([&] { store->add_invalid("a", "not-an-address", ""); }), ErrorKind::invalid);
}
TEST_F(StoreTest, IpProtectionLimitsAndDirectory) {
    store->add_account("a");
    EXPECT_TRUE(store->directory()->ip_allowed("a", "198.51.100.7"));                      // off: everyone
    EXPECT_EQ(kind_of([&] { store->add_ip_entry("a", "10.1.2.3"); }), ErrorKind::invalid); // private refused
    EXPECT_EQ(kind_of([&] { store->add_ip_entry("a", "nonsense"); }), ErrorKind::invalid);
    for (int i = 0; i < 10; ++i)
        store->add_ip_entry("a", "198.51.100." + std::to_string(i));
    EXPECT_EQ(kind_of([&] { store->add_ip_entry("a", "203.0.113.0/24"); }), ErrorKind::limit);
    store->add_ip_entry("a", "198.51.100.3"); // already there: not a new entry
    store->set_ip_protection("a", true);
    EXPECT_TRUE(store->directory()->ip_allowed("a", "198.51.100.7"));
    EXPECT_FALSE(store->directory()->ip_allowed("a", "198.51.100.70"));
    EXPECT_TRUE(store->directory()->ip_allowed("b", "198.51.100.70")); // another account, off
    store->remove_ip_entry("a", "198.51.100.7");
    EXPECT_FALSE(store->directory()->ip_allowed("a", "198.51.100.7"));
    EXPECT_EQ(kind_of([&] { store->remove_ip_entry("a", "198.51.100.7"); }), ErrorKind::not_found);
    EXPECT_EQ(store->get_ip_protection("a").entries.size(), 9u);
}

} // namespace mailpush::store
