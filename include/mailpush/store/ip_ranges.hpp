// IP protection entries (SPEC §6): a single IP, a range "a-b" or a CIDR "a/n", IPv4 or IPv6.
// Pure; parses operator input (untrusted in shape) with inet_pton, never by hand.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mailpush::store {

struct IpRange {
    bool v6 = false;
    std::array<std::uint8_t, 16> low{}, high{}; // IPv4 uses the first 4 bytes
};

// nullopt with `error` set if the entry is not an IP, a range (low <= high, same family) or a CIDR.
std::optional<IpRange> parse_ip_entry(std::string_view entry, std::string& error);

bool range_contains(const IpRange& range, std::string_view ip);

// True if any address of the range is loopback, private (RFC 1918), link-local or ULA.
bool range_touches_private(const IpRange& range);

} // namespace mailpush::store
