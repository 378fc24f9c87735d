// The signed Host against the service's public names.
#include "mailpush/openapi/public_names.hpp"

#include <gtest/gtest.h>

using namespace mailpush::openapi;

TEST(PublicNames, DefaultsAreTheHostnameThePublicUrlHostAndLoopback) {
    const auto names = default_public_names("MX.Example.com", "https://api.example.com:8443/x");
    EXPECT_EQ(names, (std::vector<std::string>{"mx.example.com", "api.example.com", "localhost", "127.0.0.1",
                                               "::1"}));
    EXPECT_EQ(default_public_names("", "").size(), 3u);
}

TEST(PublicNames, HostHeaderLosesItsPortAndCase) {
    EXPECT_EQ(host_without_port("Api.Example.COM"), "api.example.com");
    EXPECT_EQ(host_without_port("api.example.com.:443"), "api.example.com");
    EXPECT_EQ(host_without_port("127.0.0.1:8080"), "127.0.0.1");
    EXPECT_EQ(host_without_port("[::1]:8080"), "::1");
    EXPECT_EQ(host_without_port("[::1]"), "::1");
    EXPECT_EQ(host_without_port("a:b:c"), "");
    EXPECT_EQ(host_without_port("a:http"), "");
    EXPECT_EQ(host_without_port("[::1"), "");
    EXPECT_EQ(host_without_port("[::1]x"), "");
    EXPECT_EQ(host_without_port(""), "");
}

TEST(PublicNames, OnlyAConfiguredNameMatches) {
    const std::vector<std::string> names{"api.example.com", "127.0.0.1"};
    EXPECT_TRUE(is_public_name("api.example.com", names));
    EXPECT_TRUE(is_public_name("API.example.com:443", names));
    EXPECT_TRUE(is_public_name("127.0.0.1:39211", names)); // any port
    EXPECT_FALSE(is_public_name("dm.aliyuncs.com", names));
    EXPECT_FALSE(is_public_name("api.example.com.evil.org", names));
    EXPECT_FALSE(is_public_name("evil.api.example.com", names));
    EXPECT_FALSE(is_public_name("", names));
    EXPECT_FALSE(is_public_name("api.example.com:x", names));
}
