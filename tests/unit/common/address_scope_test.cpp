#include "mailpush/common/address_scope.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using mailpush::common::address_scope;
using mailpush::common::AddressScope;

namespace {
struct Case {
    std::string ip;
    AddressScope scope;
};

const std::vector<Case>& cases() {
    static const std::vector<Case> table{
        {"8.8.8.8", AddressScope::global},
        {"1.1.1.1", AddressScope::global},
        {"100.63.255.255", AddressScope::global},
        {"100.128.0.0", AddressScope::global},
        {"172.15.255.255", AddressScope::global},
        {"172.32.0.0", AddressScope::global},
        {"0.0.0.0", AddressScope::unspecified},
        {"0.1.2.3", AddressScope::reserved},
        {"127.0.0.1", AddressScope::loopback},
        {"127.255.255.254", AddressScope::loopback},
        {"10.0.0.1", AddressScope::private_network},
        {"172.16.0.1", AddressScope::private_network},
        {"172.31.255.255", AddressScope::private_network},
        {"192.168.1.1", AddressScope::private_network},
        {"100.64.0.1", AddressScope::shared},
        {"100.127.255.255", AddressScope::shared},
        {"169.254.169.254", AddressScope::link_local}, // cloud metadata
        {"224.0.0.1", AddressScope::multicast},
        {"239.255.255.250", AddressScope::multicast},
        {"240.0.0.1", AddressScope::reserved},
        {"255.255.255.255", AddressScope::reserved},
        {"192.0.2.1", AddressScope::reserved},
        {"198.18.0.1", AddressScope::reserved},
        {"2a00:1450:4001:80b::200e", AddressScope::global},
        {"2001:4860:4860::8888", AddressScope::global},
        {"::", AddressScope::unspecified},
        {"::1", AddressScope::loopback},
        {"fc00::1", AddressScope::private_network},
        {"fd12:3456::1", AddressScope::private_network},
        {"fec0::1", AddressScope::private_network},
        {"fe80::1", AddressScope::link_local},
        {"febf::1", AddressScope::link_local},
        {"ff02::1", AddressScope::multicast},
        {"2001:db8::1", AddressScope::reserved},
        {"2001::1", AddressScope::reserved}, // Teredo
        {"::ffff:127.0.0.1", AddressScope::loopback},
        {"::ffff:10.1.2.3", AddressScope::private_network},
        {"::ffff:169.254.169.254", AddressScope::link_local},
        {"::ffff:8.8.8.8", AddressScope::global},
        {"::127.0.0.1", AddressScope::reserved}, // IPv4-compatible, deprecated
        {"64:ff9b::7f00:1", AddressScope::loopback},
        {"64:ff9b::808:808", AddressScope::global},
        {"2002:7f00:1::1", AddressScope::loopback}, // 6to4 of 127.0.0.1
        {"2002:0808:0808::1", AddressScope::global},
        {"100::1", AddressScope::reserved}, // discard prefix
        {"fe80::1%eth0", AddressScope::invalid},
        {"localhost", AddressScope::invalid},
        {"", AddressScope::invalid},
        {"127.1", AddressScope::invalid}, // inet_pton takes only dotted quads
        {"[::1]", AddressScope::invalid},
    };
    return table;
}
} // namespace

TEST(AddressScope, TableOfCases) {
    for (const auto& c : cases())
        EXPECT_EQ(address_scope(c.ip), c.scope) << c.ip;
}

TEST(AddressScope, OnlyGlobalIsGlobal) {
    EXPECT_TRUE(mailpush::common::is_global_address("93.184.216.34"));
    EXPECT_FALSE(mailpush::common::is_global_address("127.0.0.1"));
    EXPECT_FALSE(mailpush::common::is_global_address("example.com"));
    EXPECT_EQ(mailpush::common::scope_name(AddressScope::private_network), "private");
}
