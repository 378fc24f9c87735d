#include "mailpush/delivery/destination_rules.hpp"

#include "mailpush/common/strings.hpp"

#include <algorithm>

namespace mailpush::delivery {

namespace {
constexpr std::string_view kMx = "mx:";

bool pattern_of_mx(std::string_view p) {
    return p.starts_with(kMx);
}
std::string_view strip_mx(std::string_view p) {
    return pattern_of_mx(p) ? p.substr(kMx.size()) : p;
}
} // namespace

// Values chosen below what each provider is known to throttle at for a new sender: few
// connections, modest per-connection counts, a steady rate; the slow-down handles the rest.
const std::vector<DestinationRule>& DestinationRules::builtin() {
    static const std::vector<DestinationRule> table{
        {"gmail", {"gmail.com", "googlemail.com", "mx:*.google.com", "mx:*.googlemail.com"}, 10, 100, 20'000},
        {"outlook",
         {"outlook.com", "hotmail.com", "live.com", "msn.com", "mx:*.outlook.com",
          "mx:*.protection.outlook.com"},
         5,
         50,
         10'000},
        {"yahoo", {"yahoo.com", "ymail.com", "mx:*.yahoodns.net"}, 5, 20, 5'000},
        {"qq", {"qq.com", "foxmail.com", "vip.qq.com", "mx:*.qq.com"}, 5, 20, 5'000},
        {"netease",
         {"163.com", "126.com", "yeah.net", "vip.163.com", "vip.126.com", "mx:*.163.com", "mx:*.126.com",
          "mx:*.netease.com", "mx:*.163yun.com"},
         5,
         20,
         5'000},
        {"sina", {"sina.com", "sina.cn", "vip.sina.com", "mx:*.sina.com", "mx:*.sina.com.cn"}, 3, 20, 2'000},
        {"sohu", {"sohu.com", "mx:*.sohu.com"}, 3, 20, 2'000},
    };
    return table;
}

std::optional<std::string> destination_pattern_problem(std::string_view pattern) {
    auto p = strip_mx(pattern);
    if (p.starts_with("*.")) p.remove_prefix(2);
    if (p.empty()) return "must name a domain";
    if (p.find_first_of("*? \t\r\n:@/") != std::string_view::npos)
        return "must be a domain, \"*.domain\", or \"mx:\" and one of those";
    if (p.front() == '.' || p.back() == '.') return "must not start or end with a dot";
    return std::nullopt;
}

bool name_matches(std::string_view pattern, std::string_view name) {
    if (pattern.starts_with("*.")) {
        const auto suffix = pattern.substr(1); // ".qq.com"
        return name.size() > suffix.size() &&
               common::iequals(name.substr(name.size() - suffix.size()), suffix);
    }
    return common::iequals(pattern, name);
}

DestinationRules::DestinationRules(const std::vector<DestinationRule>& configured,
                                   DestinationLimits unmatched)
    : rules_(configured)
    , unmatched_(unmatched) {
    for (const auto& b : builtin())
        if (std::none_of(rules_.begin(), rules_.end(),
                         [&](const DestinationRule& r) { return r.name == b.name; }))
            rules_.push_back(b);
}

const DestinationRule* DestinationRules::rule_for(std::string_view domain) const {
    for (const auto& r : rules_)
        for (const auto& p : r.match)
            if (!pattern_of_mx(p) && name_matches(p, domain)) return &r;
    const auto mx = mx_of_.find(common::to_lower(domain));
    if (mx == mx_of_.end()) return nullptr;
    for (const auto& r : rules_)
        for (const auto& p : r.match)
            if (pattern_of_mx(p) && name_matches(strip_mx(p), mx->second)) return &r;
    return nullptr;
}

DestinationLimits DestinationRules::limits(const DestinationRule* rule) const {
    if (!rule) return unmatched_;
    DestinationLimits out = unmatched_;
    if (rule->max_connections > 0) out.max_connections = rule->max_connections;
    if (rule->max_messages_per_connection > 0)
        out.max_messages_per_connection = rule->max_messages_per_connection;
    if (rule->max_per_second_milli > 0)
        out.rate_per_second = static_cast<double>(rule->max_per_second_milli) / 1000;
    return out;
}

std::string DestinationRules::key_for(std::string_view domain, const std::string& route_key) const {
    const auto* rule = rule_for(domain);
    return rule ? "rule:" + rule->name : route_key;
}

void DestinationRules::learn_mx(std::string_view domain, std::string_view mx_host) {
    if (mx_host.empty()) return;
    if (mx_of_.size() >= kMaxLearnt) mx_of_.clear();
    mx_of_.insert_or_assign(common::to_lower(domain), common::to_lower(mx_host));
}

} // namespace mailpush::delivery
