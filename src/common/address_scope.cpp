#include "mailpush/common/address_scope.hpp"

#include <arpa/inet.h>
#include <array>
#include <cstdint>
#include <string>

namespace mailpush::common {
namespace {

struct Block4 {
    std::uint32_t prefix;
    int length;
    AddressScope scope;
};

constexpr std::uint32_t v4(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
    return a << 24 | b << 16 | c << 8 | d;
}

// The IANA IPv4 special-purpose registry, most specific first.
constexpr std::array kBlocks4{
    Block4{v4(0, 0, 0, 0), 32, AddressScope::unspecified},
    Block4{v4(0, 0, 0, 0), 8, AddressScope::reserved}, // "this network"
    Block4{v4(10, 0, 0, 0), 8, AddressScope::private_network},
    Block4{v4(100, 64, 0, 0), 10, AddressScope::shared},
    Block4{v4(127, 0, 0, 0), 8, AddressScope::loopback},
    Block4{v4(169, 254, 0, 0), 16, AddressScope::link_local},
    Block4{v4(172, 16, 0, 0), 12, AddressScope::private_network},
    Block4{v4(192, 0, 0, 0), 24, AddressScope::reserved},
    Block4{v4(192, 0, 2, 0), 24, AddressScope::reserved},
    Block4{v4(192, 88, 99, 0), 24, AddressScope::reserved},
    Block4{v4(192, 168, 0, 0), 16, AddressScope::private_network},
    Block4{v4(198, 18, 0, 0), 15, AddressScope::reserved},
    Block4{v4(198, 51, 100, 0), 24, AddressScope::reserved},
    Block4{v4(203, 0, 113, 0), 24, AddressScope::reserved},
    Block4{v4(224, 0, 0, 0), 4, AddressScope::multicast},
    Block4{v4(240, 0, 0, 0), 4, AddressScope::reserved}, // includes 255.255.255.255
};

AddressScope scope4(std::uint32_t a) {
    for (const auto& b : kBlocks4) {
        const std::uint32_t mask = b.length == 0 ? 0 : ~std::uint32_t{0} << (32 - b.length);
        if ((a & mask) == b.prefix) return b.scope;
    }
    return AddressScope::global;
}

using Bytes16 = std::array<std::uint8_t, 16>;

std::uint32_t embedded4(const Bytes16& b, std::size_t at) {
    return std::uint32_t{b[at]} << 24 | std::uint32_t{b[at + 1]} << 16 | std::uint32_t{b[at + 2]} << 8 |
           std::uint32_t{b[at + 3]};
}

bool has_prefix(const Bytes16& b, std::initializer_list<std::uint8_t> bytes, int bits) {
    int i = 0;
    for (const auto p : bytes) {
        const int take = std::min(8, bits - 8 * i);
        if (take <= 0) break;
        const auto mask = static_cast<std::uint8_t>(0xFF << (8 - take));
        if ((b[static_cast<std::size_t>(i)] & mask) != (p & mask)) return false;
        ++i;
    }
    return true;
}

bool zero_until(const Bytes16& b, std::size_t end) {
    for (std::size_t i = 0; i < end; ++i)
        if (b[i] != 0) return false;
    return true;
}

AddressScope scope6(const Bytes16& b) {
    if (zero_until(b, 15))
        return b[15] == 0   ? AddressScope::unspecified
               : b[15] == 1 ? AddressScope::loopback
                            : AddressScope::reserved;
    if (zero_until(b, 10) && b[10] == 0xFF && b[11] == 0xFF) return scope4(embedded4(b, 12)); // mapped
    if (zero_until(b, 12)) return AddressScope::reserved; // IPv4-compatible, deprecated
    if (has_prefix(b, {0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0}, 96)) return scope4(embedded4(b, 12));
    if (has_prefix(b, {0x20, 0x02}, 16)) return scope4(embedded4(b, 2));            // 6to4
    if (has_prefix(b, {0x20, 0x01, 0x0D, 0xB8}, 32)) return AddressScope::reserved; // documentation
    if (has_prefix(b, {0x20, 0x01, 0x00}, 23)) return AddressScope::reserved; // protocol assignments, Teredo
    if (has_prefix(b, {0xFC}, 7)) return AddressScope::private_network;
    if (has_prefix(b, {0xFE, 0x80}, 10)) return AddressScope::link_local;
    if (has_prefix(b, {0xFE, 0xC0}, 10)) return AddressScope::private_network; // site-local, deprecated
    if (has_prefix(b, {0xFF}, 8)) return AddressScope::multicast;
    if (has_prefix(b, {0x20}, 3)) return AddressScope::global; // 2000::/3, global unicast
    return AddressScope::reserved; // not allocated for unicast (NAT64 local use, discard, ...)
}

} // namespace

AddressScope address_scope(std::string_view ip) {
    const std::string text(ip); // inet_pton wants a terminated string
    in_addr a4{};
    if (inet_pton(AF_INET, text.c_str(), &a4) == 1) return scope4(ntohl(a4.s_addr));
    Bytes16 b{};
    if (inet_pton(AF_INET6, text.c_str(), b.data()) == 1) return scope6(b);
    return AddressScope::invalid;
}

std::string_view scope_name(AddressScope scope) {
    switch (scope) {
    case AddressScope::global:
        return "global";
    case AddressScope::unspecified:
        return "unspecified";
    case AddressScope::loopback:
        return "loopback";
    case AddressScope::private_network:
        return "private";
    case AddressScope::shared:
        return "shared (CGNAT)";
    case AddressScope::link_local:
        return "link-local";
    case AddressScope::multicast:
        return "multicast";
    case AddressScope::reserved:
        return "reserved";
    case AddressScope::invalid:
        break;
    }
    return "not an IP address";
}

} // namespace mailpush::common
