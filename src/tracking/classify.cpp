// The human/machine rules: one table, read top to bottom, the first matching row decides; no
// row matching means a person. Keep docs/tracking.md "Human and machine hits" the same table.
#include "mailpush/tracking/classify.hpp"

#include "mailpush/common/strings.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <optional>
#include <set>
#include <stdexcept>

namespace mailpush::tracking {
namespace {

enum Kinds : unsigned { opens = 1, clicks = 2, both = 3 };

enum class Match {
    agent_contains,      // the user agent contains `pattern` (any case)
    agent_is,            // the user agent is exactly `pattern`
    prefetch_network,    // the client address is in ClassifyOptions::prefetch_networks
    soon_after_delivery, // within scanner_window_ms of delivery
    link_burst,          // >= 2 distinct links clicked within burst_window_ms before this click
};

struct Rule {
    unsigned kinds;
    Match match;
    std::string_view pattern;
    HitClass cls;
    std::string_view why;
};

// clang-format off
constexpr Rule kRules[] = {
    {both,   Match::agent_contains, "GoogleImageProxy", HitClass::proxy, "Gmail fetches images through its proxy when the message is opened"},
    {both,   Match::agent_contains, "YahooMailProxy",   HitClass::proxy, "Yahoo/AOL Mail fetch images through their proxy when the message is opened"},
    {opens,  Match::prefetch_network, "",            HitClass::prefetch, "Apple Mail Privacy Protection fetches every image on delivery"},
    {opens,  Match::agent_is,       "Mozilla/5.0",      HitClass::prefetch, "Apple Mail Privacy Protection's fetcher sends this bare agent"},
    {both,   Match::agent_is,       "",                 HitClass::scanner, "no mail client or browser omits the User-Agent"},
    {clicks, Match::agent_is,       "Mozilla/5.0",      HitClass::scanner, "a browser sends more than the bare product token"},
    {both,   Match::agent_contains, "Barracuda",        HitClass::scanner, "mail security gateway"},
    {both,   Match::agent_contains, "Mimecast",         HitClass::scanner, "mail security gateway"},
    {both,   Match::agent_contains, "Proofpoint",       HitClass::scanner, "mail security gateway"},
    {both,   Match::agent_contains, "Symantec",         HitClass::scanner, "mail security gateway"},
    {both,   Match::agent_contains, "Trend Micro",      HitClass::scanner, "mail security gateway"},
    {both,   Match::agent_contains, "python-requests",  HitClass::scanner, "a script, not a reader"},
    {both,   Match::agent_contains, "curl/",            HitClass::scanner, "a script, not a reader"},
    {both,   Match::agent_contains, "Go-http-client",   HitClass::scanner, "a script, not a reader"},
    {both,   Match::agent_contains, "Wget",             HitClass::scanner, "a script, not a reader"},
    {both,   Match::agent_contains, "bot",              HitClass::scanner, "crawlers and link checkers call themselves bots"},
    {clicks, Match::soon_after_delivery, "",            HitClass::scanner, "link scanners follow links as the message arrives"},
    {clicks, Match::link_burst,     "",                 HitClass::scanner, "nobody clicks three different links within seconds"},
};
// clang-format on

bool contains_any_case(std::string_view text, std::string_view pattern) {
    if (pattern.size() > text.size()) return false;
    for (std::size_t i = 0; i + pattern.size() <= text.size(); ++i)
        if (common::iequals(text.substr(i, pattern.size()), pattern)) return true;
    return false;
}

// Distinct links clicked in [at - window, at] before this click.
std::size_t recent_links(const HitFacts& f, std::int64_t window) {
    std::set<std::uint32_t> links;
    for (const auto& [at, link] : f.earlier_clicks)
        if (at <= f.at_ms && f.at_ms - at <= window) links.insert(link);
    return links.size();
}

std::optional<Classifier::Network> parse_network(std::string_view text) {
    const auto slash = text.find('/');
    const std::string address(text.substr(0, slash));
    Classifier::Network n;
    if (inet_pton(AF_INET, address.c_str(), n.bytes.data()) == 1)
        n.v6 = false;
    else if (inet_pton(AF_INET6, address.c_str(), n.bytes.data()) == 1)
        n.v6 = true;
    else
        return std::nullopt;
    const unsigned max = n.v6 ? 128 : 32;
    n.prefix = max;
    if (slash != std::string_view::npos) {
        const auto prefix = common::parse_u64(text.substr(slash + 1));
        if (!prefix || *prefix > max) return std::nullopt;
        n.prefix = static_cast<unsigned>(*prefix);
    }
    return n;
}

bool prefix_matches(const Classifier::Network& net, const std::uint8_t* addr) {
    for (unsigned bit = 0; bit < net.prefix; ++bit) {
        const unsigned mask = 0x80u >> (bit % 8);
        if ((net.bytes[bit / 8] & mask) != (addr[bit / 8] & mask)) return false;
    }
    return true;
}

} // namespace

std::string_view class_name(HitClass c) {
    switch (c) {
    case HitClass::human:
        return "human";
    case HitClass::proxy:
        return "proxy";
    case HitClass::prefetch:
        return "prefetch";
    case HitClass::scanner:
        return "scanner";
    }
    return "human";
}

bool counts_as_machine(HitClass c) {
    return c == HitClass::prefetch || c == HitClass::scanner;
}

Classifier::Classifier(ClassifyOptions options)
    : options_(std::move(options)) {
    for (const auto& text : options_.prefetch_networks) {
        auto net = parse_network(common::trim(text));
        if (!net) throw std::invalid_argument("not a network (CIDR): '" + text + "'");
        networks_.push_back(*net);
    }
}

bool Classifier::in_prefetch_network(std::string_view ip) const {
    const std::string text(common::trim(ip));
    std::array<std::uint8_t, 16> addr{};
    bool v6 = false;
    if (inet_pton(AF_INET, text.c_str(), addr.data()) != 1) {
        if (inet_pton(AF_INET6, text.c_str(), addr.data()) != 1) return false;
        v6 = true;
        static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (std::equal(addr.begin(), addr.begin() + 12, kMapped)) { // ::ffff:a.b.c.d is a.b.c.d
            std::copy(addr.begin() + 12, addr.end(), addr.begin());
            v6 = false;
        }
    }
    for (const auto& net : networks_)
        if (net.v6 == v6 && prefix_matches(net, addr.data())) return true;
    return false;
}

HitClass Classifier::classify(const HitFacts& f) const {
    const unsigned kind = f.kind == HitKind::open ? opens : clicks;
    for (const auto& rule : kRules) {
        if (!(rule.kinds & kind)) continue;
        bool hit = false;
        switch (rule.match) {
        case Match::agent_contains:
            hit = contains_any_case(f.user_agent, rule.pattern);
            break;
        case Match::agent_is:
            hit = common::trim(f.user_agent) == rule.pattern;
            break;
        case Match::prefetch_network:
            hit = in_prefetch_network(f.client_ip);
            break;
        case Match::soon_after_delivery:
            hit = f.delivered_ms > 0 && f.at_ms - f.delivered_ms < options_.scanner_window_ms;
            break;
        case Match::link_burst:
            hit = recent_links(f, options_.burst_window_ms) >= 2;
            break;
        }
        if (hit) return rule.cls;
    }
    return HitClass::human;
}

} // namespace mailpush::tracking
