// The [tracking] section: defaults, values reaching the tracking options and the store, and a
// clear refusal naming the key for a bad network, link host or bound.
#include "mailpush/config/config.hpp"
#include "mailpush/config/keys.hpp"

#include <gtest/gtest.h>

using namespace mailpush::config;
using namespace std::chrono_literals;

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

TEST(TrackingKeys, Defaults) {
    const auto c = parse_config(kListener, "t.toml");
    EXPECT_TRUE(c.tracking.require_cname);
    EXPECT_TRUE(c.store.tracking_requires_cname);
    EXPECT_EQ(c.tracking.link_host, mailpush::delivery::LinkHost::cname);
    EXPECT_EQ(c.tracking.scanner_window, 10s);
    EXPECT_EQ(c.tracking.burst_window, 2s);
    EXPECT_EQ(c.tracking.prefetch_networks, (std::vector<std::string>{"17.0.0.0/8"}));
    EXPECT_EQ(c.tracking.link_retention, std::chrono::hours(365 * 24));
    EXPECT_EQ(c.tracking.flush_interval, 200ms);
    EXPECT_EQ(c.tracking.max_pending, 1'000'000u);
    EXPECT_EQ(c.tracking.key_retention, std::chrono::hours(400 * 24));
    EXPECT_EQ(c.store.tracking_key_retention, std::chrono::hours(400 * 24));
}

TEST(TrackingKeys, ValuesReachTheTrackingOptionsAndTheStore) {
    const auto c = parse_config(kListener + "[tracking]\nrequire_cname = false\nlink_host = \"public\"\n"
                                            "scanner_window = \"5s\"\nburst_window = \"1s\"\n"
                                            "prefetch_networks = [\"17.0.0.0/8\", \"2620:149::/32\"]\n"
                                            "link_retention = \"30d\"\nflush_interval = \"50ms\"\n"
                                            "max_pending = 500\nkey_retention = \"60d\"\n",
                                "t.toml");
    EXPECT_FALSE(c.tracking.require_cname);
    EXPECT_FALSE(c.store.tracking_requires_cname);
    EXPECT_EQ(c.tracking.link_host, mailpush::delivery::LinkHost::public_url);
    EXPECT_EQ(c.tracking.scanner_window, 5s);
    EXPECT_EQ(c.tracking.burst_window, 1s);
    EXPECT_EQ(c.tracking.prefetch_networks.size(), 2u);
    EXPECT_EQ(c.tracking.link_retention, std::chrono::hours(30 * 24));
    EXPECT_EQ(c.tracking.flush_interval, 50ms);
    EXPECT_EQ(c.tracking.max_pending, 500u);
    EXPECT_EQ(c.tracking.key_retention, std::chrono::hours(60 * 24));
    EXPECT_EQ(c.store.tracking_key_retention, std::chrono::hours(60 * 24));
}

TEST(TrackingKeys, BadValuesNameTheirKey) {
    EXPECT_EQ(error_of("[tracking]\nprefetch_networks = [\"17.0.0.0/8\", \"17.0.0.1\"]\n"),
              "t.toml: key 'tracking.prefetch_networks': \"17.0.0.1\" is not a network in CIDR form "
              "(\"17.0.0.0/8\", \"2620:149::/32\")");
    EXPECT_NE(error_of("[tracking]\nprefetch_networks = [\"300.0.0.0/8\"]\n")
                  .find("key 'tracking.prefetch_networks': \"300.0.0.0/8\" is not a network"),
              std::string::npos);
    EXPECT_EQ(error_of("[tracking]\nlink_host = \"cdn\"\n"),
              "t.toml: key 'tracking.link_host': must be \"cname\" or \"public\"");
    EXPECT_NE(error_of("[tracking]\nmax_pending = 0\n").find("key 'tracking.max_pending': must be between"),
              std::string::npos);
    EXPECT_NE(error_of("[tracking]\nkey_retention = \"1h\"\n").find("key 'tracking.key_retention'"),
              std::string::npos);
}
