#include "mailpush/delivery/destination_rules.hpp"

#include <gtest/gtest.h>

using namespace mailpush::delivery;

namespace {
const DestinationLimits kUnmatched{20, 0, 0};
}

TEST(DestinationRules, PatternSyntax) {
    EXPECT_FALSE(destination_pattern_problem("gmail.com"));
    EXPECT_FALSE(destination_pattern_problem("*.qq.com"));
    EXPECT_FALSE(destination_pattern_problem("mx:*.google.com"));
    EXPECT_FALSE(destination_pattern_problem("mx:mx1.example.net"));
    EXPECT_TRUE(destination_pattern_problem(""));
    EXPECT_TRUE(destination_pattern_problem("mx:"));
    EXPECT_TRUE(destination_pattern_problem("*"));
    EXPECT_TRUE(destination_pattern_problem("g*mail.com"));
    EXPECT_TRUE(destination_pattern_problem("a@b.com"));
    EXPECT_TRUE(destination_pattern_problem(".gmail.com"));
    EXPECT_TRUE(destination_pattern_problem("mx:mx:*.google.com"));
}

TEST(DestinationRules, WildcardMatchesNamesBelowOnly) {
    EXPECT_TRUE(name_matches("*.qq.com", "mx3.QQ.com"));
    EXPECT_TRUE(name_matches("*.qq.com", "a.b.qq.com"));
    EXPECT_FALSE(name_matches("*.qq.com", "qq.com"));
    EXPECT_FALSE(name_matches("*.qq.com", "notqq.com"));
    EXPECT_TRUE(name_matches("gmail.com", "GMAIL.COM"));
    EXPECT_FALSE(name_matches("gmail.com", "mail.gmail.com"));
}

TEST(DestinationRules, ShippedRulesGroupAProvidersDomains) {
    DestinationRules rules({}, kUnmatched);
    ASSERT_NE(rules.rule_for("gmail.com"), nullptr);
    EXPECT_EQ(rules.rule_for("googlemail.com"), rules.rule_for("gmail.com"));
    EXPECT_EQ(rules.key_for("GoogleMail.com", "mx:googlemail.com"), "rule:gmail");
    EXPECT_EQ(rules.key_for("hotmail.com", "mx:hotmail.com"), "rule:outlook");
    EXPECT_EQ(rules.key_for("foxmail.com", "mx:foxmail.com"), "rule:qq");
    EXPECT_EQ(rules.key_for("126.com", "mx:126.com"), "rule:netease");
    EXPECT_EQ(rules.key_for("sina.cn", "mx:sina.cn"), "rule:sina");
    EXPECT_EQ(rules.key_for("sohu.com", "mx:sohu.com"), "rule:sohu");
    EXPECT_EQ(rules.key_for("ymail.com", "mx:ymail.com"), "rule:yahoo");
    EXPECT_EQ(rules.key_for("example.org", "mx:example.org"), "mx:example.org"); // its own destination
    const auto gmail = rules.limits(rules.rule_for("gmail.com"));
    EXPECT_EQ(gmail.max_connections, 10u);
    EXPECT_EQ(gmail.max_messages_per_connection, 100u);
    EXPECT_DOUBLE_EQ(gmail.rate_per_second, 20.0);
    const auto plain = rules.limits(nullptr);
    EXPECT_EQ(plain.max_connections, 20u);
    EXPECT_DOUBLE_EQ(plain.rate_per_second, 0.0);
}

TEST(DestinationRules, MxPatternsMatchOnceTheMxIsLearnt) {
    DestinationRules rules({}, kUnmatched);
    EXPECT_EQ(rules.rule_for("company.example"), nullptr); // a Google Workspace domain, MX not known yet
    rules.learn_mx("Company.Example", "ASPMX.L.GOOGLE.COM");
    ASSERT_NE(rules.rule_for("company.example"), nullptr);
    EXPECT_EQ(rules.rule_for("company.example")->name, "gmail");
    rules.learn_mx("other.example", "mx.other.example");
    EXPECT_EQ(rules.rule_for("other.example"), nullptr);
}

TEST(DestinationRules, ConfiguredRuleReplacesTheShippedOneOfItsName) {
    DestinationRules rules({{"gmail", {"gmail.com"}, 2, 5, 500}, {"slow", {"*.slow.test"}, 1, 0, 0}},
                           kUnmatched);
    EXPECT_EQ(rules.rule_for("googlemail.com"), nullptr); // the shipped gmail rule is gone
    const auto gmail = rules.limits(rules.rule_for("gmail.com"));
    EXPECT_EQ(gmail.max_connections, 2u);
    EXPECT_EQ(gmail.max_messages_per_connection, 5u);
    EXPECT_DOUBLE_EQ(gmail.rate_per_second, 0.5);
    const auto slow = rules.limits(rules.rule_for("a.slow.test"));
    EXPECT_EQ(slow.max_connections, 1u);
    EXPECT_EQ(slow.max_messages_per_connection, 0u); // 0: the defaults
    EXPECT_DOUBLE_EQ(slow.rate_per_second, 0.0);
    EXPECT_NE(rules.rule_for("qq.com"), nullptr); // other shipped rules stay
}

TEST(DestinationRules, LearntMxIsBounded) {
    DestinationRules rules({}, kUnmatched);
    for (std::size_t i = 0; i <= DestinationRules::kMaxLearnt; ++i)
        rules.learn_mx("d" + std::to_string(i) + ".example", "aspmx.l.google.com");
    // The table was dropped once at the bound: the newest is known, the first is not.
    EXPECT_NE(rules.rule_for("d" + std::to_string(DestinationRules::kMaxLearnt) + ".example"), nullptr);
    EXPECT_EQ(rules.rule_for("d0.example"), nullptr);
}
