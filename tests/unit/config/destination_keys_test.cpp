// The [[destination]] table and the shaping keys of [delivery]: values, a fractional rate, and
// one clear error naming the key for each bad value.
#include "mailpush/config/config.hpp"
#include "mailpush/config/keys.hpp"

#include <gtest/gtest.h>

using namespace mailpush::config;

namespace {
const std::string kListener = "[[listener]]\nname = \"s\"\n";

std::string error_of(const std::string& text) {
    try {
        parse_config(kListener + text, "t.toml");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}
} // namespace

TEST(DestinationKeys, ReadsRulesWithFractionalRates) {
    const auto c = parse_config(kListener + "[delivery]\nretry_share_percent = 40\nslowdown_pause = \"2s\"\n"
                                            "slowdown_rate = 0.25\nwarmup = true\nwarmup_start = 50\n"
                                            "[[destination]]\nname = \"slow\"\nmatch = [\"slow.test\", "
                                            "\"mx:*.slow.test\"]\nmax_connections = 2\n"
                                            "max_messages_per_connection = 3\nmax_per_second = 0.5\n"
                                            "[[destination]]\nname = \"fast\"\nmatch = [\"*.fast.test\"]\n"
                                            "max_per_second = 40\n",
                                "t.toml");
    ASSERT_EQ(c.delivery.destinations.size(), 2u);
    const auto& slow = c.delivery.destinations[0];
    EXPECT_EQ(slow.name, "slow");
    EXPECT_EQ(slow.match, (std::vector<std::string>{"slow.test", "mx:*.slow.test"}));
    EXPECT_EQ(slow.max_connections, 2u);
    EXPECT_EQ(slow.max_messages_per_connection, 3u);
    EXPECT_EQ(slow.max_per_second_milli, 500);
    EXPECT_EQ(c.delivery.destinations[1].max_per_second_milli, 40'000);
    EXPECT_EQ(c.delivery.retry_share_percent, 40u);
    EXPECT_EQ(c.delivery.slowdown_pause, std::chrono::milliseconds(2000));
    EXPECT_EQ(c.delivery.slowdown_rate_milli, 250);
    EXPECT_TRUE(c.delivery.warmup);
    EXPECT_EQ(c.delivery.warmup_start, 50u);
}

TEST(DestinationKeys, BadValuesNameTheirKey) {
    EXPECT_EQ(error_of("[[destination]]\nmatch = [\"a.test\"]\n"),
              "t.toml: key 'destination.name': is required for every [[destination]]");
    EXPECT_EQ(
        error_of("[[destination]]\nname = \"x\"\nmatch = [\"a*.test\"]\n"),
        "t.toml: key 'destination.match': \"a*.test\" must be a domain, \"*.domain\", or \"mx:\" and one of "
        "those");
    EXPECT_EQ(error_of("[[destination]]\nname = \"x\"\n"),
              "t.toml: key 'destination.match': must list at least one pattern");
    EXPECT_EQ(error_of("[[destination]]\nname = \"x\"\nmatch = [\"a.test\"]\n[[destination]]\nname = \"x\"\n"
                       "match = [\"b.test\"]\n"),
              "t.toml: key 'destination.name': duplicate destination name \"x\"");
    EXPECT_EQ(error_of("[[destination]]\nname = \"x\"\nmatch = [\"a.test\"]\nmax_per_second = -1\n"),
              "t.toml: key 'destination.max_per_second': must be a number between 0 and 100000");
    EXPECT_EQ(error_of("[[destination]]\nname = \"x\"\nmatch = [\"a.test\"]\nmax_per_second = \"fast\"\n"),
              "t.toml: key 'destination.max_per_second': must be a number between 0 and 100000");
    EXPECT_EQ(error_of("[delivery]\nretry_share_percent = 0\n"),
              "t.toml: key 'delivery.retry_share_percent': must be between 1 and 100");
    EXPECT_EQ(error_of("[delivery]\nslowdown_rate = 0\n"),
              "t.toml: key 'delivery.slowdown_rate': must be a number between 0.001 and 1000");
}

TEST(DestinationKeys, TheFirstPauseDefaultsToTheSlowerRetrysFirstDelay) {
    const auto c = parse_config(kListener + "[delivery]\nretry_initial = \"30s\"\n", "t.toml");
    EXPECT_EQ(c.delivery.first_slowdown_pause(), std::chrono::minutes(2));
    const auto set = parse_config(kListener + "[delivery]\nslowdown_pause = \"5s\"\n", "t.toml");
    EXPECT_EQ(set.delivery.first_slowdown_pause(), std::chrono::seconds(5));
}

TEST(DestinationKeys, DecimalsPrintWithoutTrailingZeros) {
    EXPECT_EQ(format_value(KeyType::decimal, Value(std::int64_t{500})), "0.5");
    EXPECT_EQ(format_value(KeyType::decimal, Value(std::int64_t{2000})), "2");
    EXPECT_EQ(format_value(KeyType::decimal, Value(std::int64_t{1})), "0.001");
    EXPECT_EQ(format_value(KeyType::decimal, Value(std::int64_t{12'340})), "12.34");
}
