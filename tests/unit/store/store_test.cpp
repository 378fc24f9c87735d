#include "temp_dir.hpp"

#include "mailpush/store/store.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>

namespace mailpush::store {
namespace {
class StoreTest : public ::testing::Test {
protected:
    test_support::TempDir temp{"mailpush-store"};
    std::filesystem::path dir = temp.path();
    std::unique_ptr<Store> store;
    void SetUp() override {
        StoreLimits l;
        l.password_cost = {64, 1};
        store = std::make_unique<Store>((dir / "s.db").string(), l, "cn-hangzhou");
    }
    void TearDown() override { store.reset(); }
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
    EXPECT_TRUE(snapshot->sender("s@example.com")->password_hash.starts_with("$argon2id$"));
    EXPECT_EQ(snapshot->sender("S@example.com"), nullptr); // local part is exact
    store->set_account_status("a", "suspended");
    EXPECT_FALSE(store->directory()->sender("s@example.com")->account_active);
    EXPECT_EQ(kind_of([&] { store->set_account_status("a", "gone"); }), ErrorKind::invalid);
}

TEST_F(StoreTest, OnePasswordForSeveralAddressesIsSetForAllOrNone) {
    store->add_account("a");
    store->add_domain("a", "example.com");
    store->add_address("a", "s@example.com", "trigger");
    store->add_address("a", "t@example.com", "trigger");
    store->set_password("t@example.com", "Second2026ab");
    const auto hash_of = [&](const char* a) { return store->directory()->sender(a)->password_hash; };
    // t's previous password is the new one: refused, naming t, and s is not changed either.
    try {
        store->set_passwords({"s@example.com", "t@example.com"}, "Second2026ab");
        ADD_FAILURE() << "accepted";
    } catch (const StoreError& e) {
        EXPECT_EQ(e.kind(), ErrorKind::invalid);
        EXPECT_NE(std::string(e.what()).find("t@example.com"), std::string::npos) << e.what();
    }
    EXPECT_EQ(hash_of("s@example.com"), "");
    store->set_passwords({"s@example.com", "t@example.com"}, "Shared2026abc");
    EXPECT_TRUE(hash_of("s@example.com").starts_with("$argon2id$"));
    EXPECT_NE(hash_of("s@example.com"), hash_of("t@example.com")); // a salt of its own each
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

TEST_F(StoreTest, TemplatesFollowTheirStatesAndEditsReturnToDraft) {
    store->add_account("a");
    const TemplateInput in{"welcome", "Hi {UserName}", "<p>body</p>", "", "html"};
    EXPECT_EQ(store->add_template("a", in).status, "draft");
    EXPECT_EQ(kind_of([&] { store->set_template_state("a", "welcome", "approve", ""); }),
              ErrorKind::conflict);
    EXPECT_EQ(store->set_template_state("a", "welcome", "submit", "").status, "submitted");
    EXPECT_EQ(store->set_template_state("a", "welcome", "reject", "too loud").reason, "too loud");
    EXPECT_EQ(store->set_template_state("a", "welcome", "submit", "").status, "submitted");
    EXPECT_EQ(store->set_template_state("a", "welcome", "approve", "").status, "approved");
    auto edited = in;
    edited.subject = "Hello {UserName}";
    EXPECT_EQ(store->update_template("a", "welcome", edited).status, "draft");
    auto big = in;
    big.name = "big";
    big.body = std::string(28 * 1024 + 1, 'x');
    EXPECT_EQ(kind_of([&] { store->add_template("a", big); }), ErrorKind::limit);
    big.body = "ok";
    big.subject = std::string(101, 's');
    EXPECT_EQ(kind_of([&] { store->add_template("a", big); }), ErrorKind::invalid);
    big.subject.clear();
    for (int i = 0; i < 100; ++i)
        big.subject += "\xe4\xbd\xa0"; // 100 characters (300 bytes) are fine
    EXPECT_EQ(store->add_template("a", big).status, "draft");
    EXPECT_EQ(store->list_templates("a").size(), 2u);
}

TEST_F(StoreTest, ReceiverListsValidateRowsAndExpandAliases) {
    store->add_account("a");
    store->add_receiver_list("a", "team", "Team@Lists.test", "");
    EXPECT_EQ(kind_of([&] { store->add_receiver_list("a", "other", "team@lists.test", ""); }),
              ErrorKind::conflict);
    const auto report = store->add_receivers("a", "team",
                                             {{"x@example.org", "X", "", "", "", ""},
                                              {"bad", "", "", "", "", ""},
                                              {"y@example.org", std::string(76, 'u'), "", "", "", ""},
                                              {"X@example.org", "X again", "", "", "", ""},
                                              {"z@example.org", "", "", "", "1990-02-30x", ""}});
    EXPECT_EQ(report.added, 1u);
    ASSERT_EQ(report.errors.size(), 4u);
    EXPECT_EQ(report.errors[0].line, 2u);
    EXPECT_EQ(store->add_receivers("a", "team", {{"x@example.org", "New name", "", "", "", ""}}).updated, 1u);
    const auto dates = store->add_receivers("a", "team",
                                            {{"d1@example.org", "", "", "", "1990/1/1", ""},
                                             {"d2@example.org", "", "", "", "1990-12-31", ""},
                                             {"d3@example.org", "", "", "", "1990/13/1", ""},
                                             {"d4@example.org", "", "", "", "90/1/1", ""},
                                             {"d5@example.org", "", "", "", "1990/1-1", ""}});
    EXPECT_EQ(dates.added, 2u);
    EXPECT_EQ(dates.errors.size(), 3u);
    for (const char* e : {"d1@example.org", "d2@example.org"})
        store->remove_receiver("a", "team", e);
    EXPECT_EQ(store->list_receivers("a", "team", "", 10).at(0).user_name, "New name");
    store->add_invalid("a", "gone@example.org", "manual");
    store->add_receivers("a", "team", {{"gone@example.org", "", "", "", "", ""}});
    const auto snapshot = store->directory();
    EXPECT_EQ(snapshot->reach("a", "team@lists.test"), 1u); // the invalid member does not count
    EXPECT_EQ(snapshot->reach("other-account", "team@lists.test"),
              1u); // another account's alias is an address
    EXPECT_EQ(snapshot->expand("a", {"TEAM@lists.test", "solo@example.org"}),
              (std::vector<std::string>{"x@example.org", "solo@example.org"}));
}

TEST_F(StoreTest, AListHoldsNoMoreThanTheDailyQuota) {
    store->add_account("a");
    store->set_account_quota("a", 2, std::nullopt);
    store->add_receiver_list("a", "l", "l@lists.test", "");
    const auto r = store->add_receivers("a", "l",
                                        {{"1@example.org", "", "", "", "", ""},
                                         {"2@example.org", "", "", "", "", ""},
                                         {"3@example.org", "", "", "", "", ""}});
    EXPECT_EQ(r.added, 2u);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_NE(r.errors[0].reason.find("daily quota"), std::string::npos);
}

TEST_F(StoreTest, ReplyToVerificationTokensExpireAndAreRateLimited) {
    store->add_account("a");
    store->add_domain("a", "example.com");
    store->add_address("a", "news@example.com", "trigger");
    const std::int64_t t0 = 1'800'000'000;
    const auto token = store->request_reply_to("news@example.com", "help@example.org", t0);
    EXPECT_EQ(store->get_address("news@example.com").reply_to_status, "pending");
    EXPECT_EQ(kind_of([&] { store->request_reply_to("news@example.com", "help@example.org", t0 + 599); }),
              ErrorKind::limit);
    EXPECT_EQ(kind_of([&] { store->confirm_reply_to(token, t0 + 601); }), ErrorKind::invalid); // expired
    const auto again = store->request_reply_to("news@example.com", "help@example.org", t0 + 600);
    EXPECT_EQ(kind_of([&] { store->confirm_reply_to(token, t0 + 601); }), ErrorKind::not_found); // superseded
    EXPECT_EQ(store->confirm_reply_to(again, t0 + 700).reply_to_status, "verified");
    EXPECT_EQ(store->directory()->sender("news@example.com")->reply_to, "help@example.org");
    EXPECT_EQ(kind_of([&] { store->confirm_reply_to(again, t0 + 701); }), ErrorKind::not_found); // used once
}

TEST_F(StoreTest, AccessKeysAreSealedAndSurviveReopening) {
    store->add_account("a");
    const auto key = store->create_access_key("a");
    EXPECT_EQ(key.secret.size(), 30u);
    EXPECT_EQ(store->directory()->access_keys.at(key.id).secret, key.secret);
    store.reset();
    StoreLimits l;
    l.password_cost = {64, 1};
    store = std::make_unique<Store>((dir / "s.db").string(), l, "cn-hangzhou");
    EXPECT_EQ(store->directory()->access_keys.at(key.id).secret, key.secret);
    EXPECT_TRUE(store->list_access_keys("a").at(0).secret.empty());
    store->remove_access_key(key.id);
    EXPECT_TRUE(store->directory()->access_keys.empty());
}

TEST_F(StoreTest, UsageIsPersistedAcrossRestarts) {
    store->add_account("a");
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    store->quota().add("a", 7, now);
    store->flush_usage();
    store->quota().add("a", 2, now);
    store.reset(); // the destructor flushes the rest
    StoreLimits l;
    l.password_cost = {64, 1};
    store = std::make_unique<Store>((dir / "s.db").string(), l, "cn-hangzhou");
    EXPECT_EQ(store->usage("a", now).day_used, 9);
}

TEST_F(StoreTest, NoncesAreRememberedAcrossRestartsUntilForgotten) {
    EXPECT_TRUE(store->remember_nonce("key\nn1", 1000));
    EXPECT_FALSE(store->remember_nonce("key\nn1", 1001));
    EXPECT_TRUE(store->remember_nonce("other\nn1", 1001)); // scoped by the caller
    store.reset();
    StoreLimits l;
    l.password_cost = {64, 1};
    store = std::make_unique<Store>((dir / "s.db").string(), l, "cn-hangzhou");
    EXPECT_FALSE(store->remember_nonce("key\nn1", 1500));
    store->forget_nonces_before(1001); // n1 of `key` was seen at 1000, `other`'s at 1001
    EXPECT_TRUE(store->remember_nonce("key\nn1", 2000));
    EXPECT_FALSE(store->remember_nonce("other\nn1", 2000));
}

} // namespace mailpush::store
