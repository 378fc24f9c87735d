#include "temp_dir.hpp"

#include "mailpush/common/base64.hpp"
#include "mailpush/common/secret_box.hpp"
#include "mailpush/store/store.hpp"
#include "mailpush/store/suppression.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace mailpush::store {
namespace {
const std::string kKey(32, 'k');

TEST(SuppressionScope, LevelsAndCoverage) {
    EXPECT_EQ(scope_for(FilterLevel::mailfrom, "News@Shop.example"), "mailfrom:news@shop.example");
    EXPECT_EQ(scope_for(FilterLevel::mailfrom_domain, "news@Shop.example"), "mailfrom_domain:shop.example");
    EXPECT_EQ(scope_for(FilterLevel::edm_id, "news@shop.example"), "");
    EXPECT_EQ(scope_for(FilterLevel::disabled, "news@shop.example"), "none");
    EXPECT_TRUE(scope_covers("", "any@where.example"));
    EXPECT_TRUE(scope_covers("mailfrom:news@shop.example", "NEWS@shop.example"));
    EXPECT_FALSE(scope_covers("mailfrom:news@shop.example", "other@shop.example"));
    EXPECT_TRUE(scope_covers("mailfrom_domain:shop.example", "other@SHOP.example"));
    EXPECT_FALSE(scope_covers("mailfrom_domain:shop.example", "a@other.example"));
    EXPECT_FALSE(scope_covers("none", "news@shop.example"));
}

TEST(SuppressionScope, LevelNames) {
    for (auto l :
         {FilterLevel::mailfrom, FilterLevel::mailfrom_domain, FilterLevel::edm_id, FilterLevel::disabled})
        EXPECT_EQ(parse_filter_level(to_string(l)), l);
    EXPECT_FALSE(parse_filter_level("default"));
    EXPECT_FALSE(parse_filter_level("MAILFROM"));
}

TEST(SuppressionIndex, AddressDomainAndUnsubscribeSwitch) {
    SuppressionIndex idx;
    idx.add("acc", "Bob@Example.com", "manual", "");
    idx.add("acc", "blocked.example", "complaint", "");
    idx.add("acc", "carol@example.com", "unsubscribe", "mailfrom:news@shop.example");
    EXPECT_EQ(idx.match("acc", "bob@example.COM", "x@shop.example", true), "manual");
    EXPECT_EQ(idx.match("acc", "anyone@Blocked.example", "x@shop.example", true), "complaint");
    EXPECT_FALSE(idx.match("other", "bob@example.com", "x@shop.example", true));
    EXPECT_EQ(idx.match("acc", "carol@example.com", "news@shop.example", true), "unsubscribe");
    EXPECT_FALSE(idx.match("acc", "carol@example.com", "other@shop.example", true));
    EXPECT_FALSE(idx.match("acc", "carol@example.com", "news@shop.example", false)); // level disabled
}

TEST(SuppressionFilter, TimesAndAddress) {
    Suppression s{1, "acc", "a@b.example", "hard_bounce", "", 1000, 1000};
    EXPECT_TRUE(SuppressionFilter{}.matches(s));
    EXPECT_TRUE((SuppressionFilter{"A@B.example", 0, 0, 0, 0}.matches(s)));
    EXPECT_FALSE((SuppressionFilter{"b.example", 0, 0, 0, 0}.matches(s)));
    EXPECT_TRUE((SuppressionFilter{"", 999, 1000, 0, 0}.matches(s)));
    EXPECT_FALSE((SuppressionFilter{"", 1001, 0, 0, 0}.matches(s)));
    EXPECT_FALSE((SuppressionFilter{"", 0, 0, 0, 999}.matches(s)));
    s.last_bounce_s = 0;
    EXPECT_FALSE((SuppressionFilter{"", 0, 0, 1, 0}.matches(s))); // never bounced
}

TEST(UnsubscribeToken, RoundTripTamperAndOtherKey) {
    const auto box = common::SecretBox::from_key(kKey);
    const UnsubscribeClaim c{"acc", "news@shop.example", "carol@example.com", FilterLevel::mailfrom_domain,
                             "promo"};
    const auto token = make_unsubscribe_token(box, c);
    EXPECT_EQ(token.find_first_of("+/=\r\n "), std::string::npos);
    const auto back = read_unsubscribe_token(box, token);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->account, "acc");
    EXPECT_EQ(back->sender, "news@shop.example");
    EXPECT_EQ(back->recipient, "carol@example.com");
    EXPECT_EQ(back->level, FilterLevel::mailfrom_domain);
    EXPECT_EQ(back->edm_id, "promo");
    EXPECT_NE(make_unsubscribe_token(box, c), token); // fresh nonce each time: not enumerable
    std::string tampered = token;
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(read_unsubscribe_token(box, tampered));
    EXPECT_FALSE(read_unsubscribe_token(box, ""));
    EXPECT_FALSE(read_unsubscribe_token(box, "not+base64/url="));
    EXPECT_FALSE(read_unsubscribe_token(common::SecretBox::from_key(std::string(32, 'x')), token));
}

TEST(UnsubscribePolicy, LinkTypesLevelsAndHeaders) {
    EXPECT_EQ(parse_link_type("", false), LinkType::default_policy);
    EXPECT_EQ(parse_link_type("default", false), LinkType::default_policy);
    EXPECT_EQ(parse_link_type("disabled", false), LinkType::disabled);
    EXPECT_FALSE(parse_link_type("zh-cn", false));
    EXPECT_EQ(parse_link_type("zh-cn", true), LinkType::default_policy);
    EXPECT_FALSE(parse_link_type("sometimes", true));
    EXPECT_EQ(resolve_filter_level("", FilterLevel::edm_id), FilterLevel::edm_id);
    EXPECT_EQ(resolve_filter_level("default", FilterLevel::mailfrom), FilterLevel::mailfrom);
    EXPECT_EQ(resolve_filter_level("mailfrom_domain", FilterLevel::mailfrom), FilterLevel::mailfrom_domain);
    EXPECT_FALSE(resolve_filter_level("everything", FilterLevel::mailfrom));
    EXPECT_TRUE(wants_unsubscribe_link(LinkType::default_policy, "batch"));
    EXPECT_FALSE(wants_unsubscribe_link(LinkType::default_policy, "trigger"));
    EXPECT_FALSE(wants_unsubscribe_link(LinkType::disabled, "batch"));
    EXPECT_EQ(recorded_level(FilterLevel::disabled), FilterLevel::mailfrom);
    EXPECT_EQ(recorded_level(FilterLevel::edm_id), FilterLevel::edm_id);
    EXPECT_EQ(unsubscribe_header_lines("https://mail.example/", "TOK"),
              "List-Unsubscribe: <https://mail.example/u/TOK>\r\n"
              "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
}

TEST(AliDmSettings, HostedServiceExamplesAndBadInput) {
    // The hosted service's documented example (base64 of its JSON).
    const auto doc = parse_alidm_settings("eyJWZXJzaW9uIjogIjEuMCIsICJVbnN1YnNjcmliZSI6IHsiTGlua1R5cGUiOiAiZG"
                                          "VmYXVsdCIsICJGaWx0ZXJMZXZlbCI6ICJtYWls"
                                          "ZnJvbV9kb21haW4ifX0=");
    ASSERT_TRUE(doc);
    EXPECT_EQ(doc->link_type, "default");
    EXPECT_EQ(doc->filter_level, "mailfrom_domain");
    const auto with_pool = parse_alidm_settings(common::base64_encode(
        R"({"Version":"1.0","Unsubscribe":{"FilterLevel":"mailfrom_domain","LinkType":"zh-cn"},"OutboundIp":{"IpPoolId":"x"}})"));
    ASSERT_TRUE(with_pool);
    EXPECT_EQ(with_pool->link_type, "zh-cn");
    EXPECT_TRUE(with_pool->outbound_ip); // the SMTP path refuses it: there are no IP pools
    EXPECT_FALSE(doc->outbound_ip);
    EXPECT_FALSE(parse_alidm_settings(common::base64_encode(R"({"OutboundIp":null})")).value().outbound_ip);
    const auto none = parse_alidm_settings(common::base64_encode(R"({"Version":"1.0"})"));
    ASSERT_TRUE(none);
    EXPECT_EQ(none->link_type, "");
    EXPECT_FALSE(parse_alidm_settings("%%%"));
    EXPECT_FALSE(parse_alidm_settings(common::base64_encode("not json")));
    EXPECT_FALSE(parse_alidm_settings(common::base64_encode(R"({"Unsubscribe":{"LinkType":1}})")));
    EXPECT_FALSE(parse_alidm_settings(common::base64_encode(R"({"Unsubscribe":{"LinkType":"maybe"}})")));
    EXPECT_FALSE(parse_alidm_settings(common::base64_encode(R"({"Unsubscribe":{"FilterLevel":"all"}})")));
}

class SuppressionStoreTest : public ::testing::Test {
protected:
    test_support::TempDir temp{"mailpush-suppression"};
    std::unique_ptr<Store> store;
    void SetUp() override {
        StoreLimits l;
        l.password_cost = {64, 1};
        l.max_suppressions = 3;
        store = std::make_unique<Store>((temp.path() / "s.db").string(), l, "cn-hangzhou");
        store->add_account("acc");
        store->add_account("other");
    }
};

TEST_F(SuppressionStoreTest, AddListRemoveAndDirectory) {
    const auto a = store->add_suppression("acc", "Bob@Example.com", kSourceManual, "", 100);
    EXPECT_EQ(a.address, "bob@example.com");
    EXPECT_EQ(a.type(), "user");
    EXPECT_EQ(store->add_suppression("acc", "bob@example.com", kSourceManual, "", 200).id, a.id); // exists
    const auto d = store->add_suppression("acc", "blocked.example", kSourceComplaint, "", 150);
    EXPECT_TRUE(d.is_domain());
    EXPECT_THROW(store->add_suppression("acc", "not an address", kSourceManual, "", 1), StoreError);
    EXPECT_THROW(store->add_suppression("acc", "x@y.example", "whim", "", 1), StoreError);
    EXPECT_THROW(store->add_suppression("nobody", "x@y.example", kSourceManual, "", 1), StoreError);
    store->add_invalid("acc", "gone@example.com", "SmtpNxBox");
    const auto list = store->list_suppressions("acc");
    ASSERT_EQ(list.size(), 3u);
    const auto bounce =
        std::find_if(list.begin(), list.end(), [](auto& s) { return s.source == "hard_bounce"; });
    ASSERT_NE(bounce, list.end());
    EXPECT_GE(bounce->id, kBounceIdBase);
    EXPECT_EQ(bounce->type(), "system");

    const auto dir = store->directory();
    EXPECT_EQ(dir->suppressed("acc", "bob@example.com", "s@shop.example", FilterLevel::mailfrom), "manual");
    EXPECT_EQ(dir->suppressed("acc", "z@blocked.example", "s@shop.example", FilterLevel::mailfrom),
              "complaint");
    EXPECT_EQ(dir->suppressed("acc", "gone@example.com", "s@shop.example", FilterLevel::mailfrom),
              "hard_bounce");
    EXPECT_FALSE(dir->suppressed("other", "bob@example.com", "s@shop.example", FilterLevel::mailfrom));

    // All or nothing: one unknown id and nothing is removed.
    EXPECT_THROW(store->remove_suppressions("acc", {a.id, 999}), StoreError);
    EXPECT_THROW(store->remove_suppressions("other", {a.id}), StoreError);
    EXPECT_EQ(store->list_suppressions("acc").size(), 3u);
    store->remove_suppressions("acc", {a.id, bounce->id});
    EXPECT_EQ(store->list_suppressions("acc").size(), 1u);
    EXPECT_TRUE(store->list_invalid("acc").empty());
    EXPECT_FALSE(
        store->directory()->suppressed("acc", "bob@example.com", "s@shop.example", FilterLevel::mailfrom));
}

TEST_F(SuppressionStoreTest, ManualLimitButUnsubscribesAlwaysRecorded) {
    for (int i = 0; i < 3; ++i)
        store->add_suppression("acc", "m" + std::to_string(i) + "@example.com", kSourceManual, "", 1);
    try {
        store->add_suppression("acc", "m9@example.com", kSourceManual, "", 1);
        ADD_FAILURE() << "no limit";
    } catch (const StoreError& e) {
        EXPECT_EQ(e.kind(), ErrorKind::limit);
    }
    store->set_link_base("https://mail.example");
    const UnsubscribeClaim c{"acc", "news@shop.example", "carol@example.com", FilterLevel::mailfrom, ""};
    const auto lines = store->unsubscribe_lines(c);
    const auto start = lines.find("/u/") + 3;
    const auto token = lines.substr(start, lines.find('>') - start);
    ASSERT_TRUE(store->unsubscribe(token, 500));
    const auto dir = store->directory();
    EXPECT_EQ(dir->suppressed("acc", "carol@example.com", "news@shop.example", FilterLevel::mailfrom),
              "unsubscribe");
    EXPECT_FALSE(dir->suppressed("acc", "carol@example.com", "other@shop.example", FilterLevel::mailfrom));
    EXPECT_FALSE(dir->suppressed("acc", "carol@example.com", "news@shop.example", FilterLevel::disabled));
    EXPECT_FALSE(store->unsubscribe(token.substr(1), 500));
}

TEST_F(SuppressionStoreTest, LevelPerAccountAndSurvivesReopen) {
    EXPECT_EQ(store->suppression_level("acc"), FilterLevel::mailfrom);
    EXPECT_EQ(store->set_suppression_level("acc", FilterLevel::edm_id), FilterLevel::edm_id);
    EXPECT_EQ(store->directory()->filter_level("acc"), FilterLevel::edm_id);
    EXPECT_EQ(store->directory()->filter_level("other"), FilterLevel::mailfrom);
    const UnsubscribeClaim c{"acc", "a@b.example", "c@d.example", FilterLevel::mailfrom, ""};
    const auto token = store->unsubscribe_token(c);
    store.reset();
    StoreLimits l;
    l.password_cost = {64, 1};
    store = std::make_unique<Store>((temp.path() / "s.db").string(), l, "cn-hangzhou");
    EXPECT_EQ(store->suppression_level("acc"), FilterLevel::edm_id);
    EXPECT_TRUE(store->read_unsubscribe(token)); // the key is kept in the data directory
}

} // namespace
} // namespace mailpush::store
