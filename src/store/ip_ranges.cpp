#include "mailpush/store/ip_ranges.hpp"

#include "mailpush/common/strings.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <vector>

namespace mailpush::store {
namespace {
using Bytes = std::array<std::uint8_t, 16>;

std::optional<std::pair<bool, Bytes>> parse_address(std::string_view s) {
    const std::string text(common::trim(s));
    Bytes b{};
    if (inet_pton(AF_INET, text.c_str(), b.data()) == 1) return std::pair{false, b};
    if (inet_pton(AF_INET6, text.c_str(), b.data()) == 1) return std::pair{true, b};
    return std::nullopt;
}

std::size_t width(bool v6) {
    return v6 ? 16 : 4;
}

bool less_equal(const Bytes& a, const Bytes& b, bool v6) {
    return !std::lexicographical_compare(b.begin(), b.begin() + static_cast<long>(width(v6)), a.begin(),
                                         a.begin() + static_cast<long>(width(v6)));
}

bool overlaps(const IpRange& r, const IpRange& other) {
    return r.v6 == other.v6 && less_equal(r.low, other.high, r.v6) && less_equal(other.low, r.high, r.v6);
}
} // namespace

std::optional<IpRange> parse_ip_entry(std::string_view entry, std::string& error) {
    entry = common::trim(entry);
    IpRange r;
    if (const auto slash = entry.find('/'); slash != std::string_view::npos) {
        const auto base = parse_address(entry.substr(0, slash));
        const auto bits = common::parse_u64(entry.substr(slash + 1));
        if (!base || !bits || *bits > width(base->first) * 8) {
            error = "not a CIDR block such as 220.181.12.0/24: " + std::string(entry);
            return std::nullopt;
        }
        r.v6 = base->first;
        r.low = r.high = base->second;
        for (std::size_t bit = *bits; bit < width(r.v6) * 8; ++bit) {
            const auto mask = static_cast<std::uint8_t>(0x80u >> (bit % 8));
            r.low[bit / 8] = static_cast<std::uint8_t>(r.low[bit / 8] & ~mask);
            r.high[bit / 8] = static_cast<std::uint8_t>(r.high[bit / 8] | mask);
        }
        return r;
    }
    if (const auto dash = entry.find('-'); dash != std::string_view::npos) {
        const auto lo = parse_address(entry.substr(0, dash));
        const auto hi = parse_address(entry.substr(dash + 1));
        if (!lo && !hi) {
            error = "not an IP address, range or CIDR block: " + std::string(entry);
            return std::nullopt;
        }
        if (!lo || !hi || lo->first != hi->first || !less_equal(lo->second, hi->second, lo->first)) {
            error = "not a range such as 220.181.12.241-220.181.12.255: " + std::string(entry);
            return std::nullopt;
        }
        return IpRange{lo->first, lo->second, hi->second};
    }
    const auto a = parse_address(entry);
    if (!a) {
        error = "not an IP address, range or CIDR block: " + std::string(entry);
        return std::nullopt;
    }
    return IpRange{a->first, a->second, a->second};
}

bool range_contains(const IpRange& r, std::string_view ip) {
    auto a = parse_address(ip);
    if (!a) return false;
    // An IPv4-mapped IPv6 client (::ffff:a.b.c.d) is compared as IPv4.
    if (a->first && !r.v6 &&
        std::all_of(a->second.begin(), a->second.begin() + 10, [](auto b) { return b == 0; }) &&
        a->second[10] == 0xff && a->second[11] == 0xff) {
        Bytes v4{};
        std::copy(a->second.begin() + 12, a->second.end(), v4.begin());
        a = std::pair{false, v4};
    }
    return a->first == r.v6 && less_equal(r.low, a->second, r.v6) && less_equal(a->second, r.high, r.v6);
}

bool range_touches_private(const IpRange& r) {
    static const std::vector<IpRange> kPrivate = [] {
        std::vector<IpRange> v;
        std::string ignored;
        for (const char* e : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8",
                              "169.254.0.0/16", "::1/128", "fc00::/7", "fe80::/10"})
            v.push_back(*parse_ip_entry(e, ignored));
        return v;
    }();
    return std::any_of(kPrivate.begin(), kPrivate.end(), [&](const IpRange& p) { return overlaps(r, p); });
}

} // namespace mailpush::store
