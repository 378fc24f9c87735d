// Which part of the address space an IP address belongs to, for refusing outbound requests to
// the server's own networks (webhook targets, MX hosts). Pure.
#pragma once

#include <string_view>

namespace mailpush::common {

enum class AddressScope {
    global,          // reachable on the internet
    unspecified,     // 0.0.0.0, ::
    loopback,        // 127/8, ::1
    private_network, // RFC 1918, ULA fc00::/7, site-local fec0::/10
    shared,          // carrier-grade NAT 100.64/10
    link_local,      // 169.254/16, fe80::/10
    multicast,       // 224/4, ff00::/8
    reserved,        // every other special-purpose block (documentation, benchmarking, 240/4, ...)
    invalid,         // not an IP address literal (a zone index counts as not one)
};

// IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses are judged
// by the IPv4 address they carry.
AddressScope address_scope(std::string_view ip);
inline bool is_global_address(std::string_view ip) {
    return address_scope(ip) == AddressScope::global;
}
std::string_view scope_name(AddressScope scope); // "loopback", "private", ...

} // namespace mailpush::common
