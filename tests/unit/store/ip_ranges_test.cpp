#include "mailpush/store/ip_ranges.hpp"

#include <gtest/gtest.h>

namespace mailpush::store {

TEST(IpRanges, SingleRangeAndCidrAsInTheSeeds) {
    std::string err;
    const auto one = parse_ip_entry("220.181.12.241", err);
    ASSERT_TRUE(one);
    EXPECT_TRUE(range_contains(*one, "220.181.12.241"));
    EXPECT_FALSE(range_contains(*one, "220.181.12.242"));
    const auto range = parse_ip_entry("220.181.12.241-220.181.12.255", err);
    ASSERT_TRUE(range);
    EXPECT_TRUE(range_contains(*range, "220.181.12.250"));
    EXPECT_FALSE(range_contains(*range, "220.181.12.240"));
    const auto cidr = parse_ip_entry("220.181.12.0/24", err);
    ASSERT_TRUE(cidr);
    EXPECT_TRUE(range_contains(*cidr, "220.181.12.0"));
    EXPECT_TRUE(range_contains(*cidr, "220.181.12.255"));
    EXPECT_FALSE(range_contains(*cidr, "220.181.13.0"));
    EXPECT_TRUE(range_contains(*cidr, "::ffff:220.181.12.9")); // IPv4-mapped client
    const auto v6 = parse_ip_entry("2001:db8::/32", err);
    ASSERT_TRUE(v6);
    EXPECT_TRUE(range_contains(*v6, "2001:db8:1::5"));
    EXPECT_FALSE(range_contains(*v6, "2001:db9::1"));
    EXPECT_FALSE(range_contains(*v6, "220.181.12.9"));
}

TEST(IpRanges, BadEntriesSaySo) {
    std::string err;
    EXPECT_FALSE(parse_ip_entry("300.1.1.1", err));
    EXPECT_FALSE(parse_ip_entry("1.2.3.4/33", err));
    EXPECT_FALSE(parse_ip_entry("1.2.3.9-1.2.3.1", err));
    EXPECT_FALSE(parse_ip_entry("1.2.3.4-::1", err));
    EXPECT_FALSE(parse_ip_entry("example.com", err));
    EXPECT_EQ(err, "not an IP address, range or CIDR block: example.com");
}

TEST(IpRanges, PrivateRangesAreRecognised) {
    std::string err;
    for (const char* e :
         {"192.168.0.5", "10.0.0.0-10.255.255.255", "172.16.0.0/12", "127.0.0.1", "::1", "0.0.0.0/0"})
        EXPECT_TRUE(range_touches_private(*parse_ip_entry(e, err))) << e;
    for (const char* e : {"220.181.12.0/24", "8.8.8.8", "2001:db8::/32"})
        EXPECT_FALSE(range_touches_private(*parse_ip_entry(e, err))) << e;
}

} // namespace mailpush::store
