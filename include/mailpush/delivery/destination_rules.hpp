// Per-destination rules: which rule a recipient domain falls under (by the domain itself, or by
// the MX host the engine learnt for it) and the limits that apply there. The shipped rules for
// the big providers are built in; a [[destination]] of the same name replaces one. Pure; the
// shell reports what it learnt of MX hosts (learn_mx), nothing here does I/O.
#pragma once

#include "mailpush/delivery/destination_limits.hpp"
#include "mailpush/delivery/options.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mailpush::delivery {

// The problem with a `match` pattern, or nullopt: "domain", "*.domain", "mx:" + either.
std::optional<std::string> destination_pattern_problem(std::string_view pattern);

// Whether `name` (a domain or host name, any case) matches `pattern` (without the "mx:" part):
// "gmail.com" exactly, "*.qq.com" any name below qq.com (not qq.com itself).
bool name_matches(std::string_view pattern, std::string_view name);

class DestinationRules {
public:
    // The shipped defaults (docs/delivery.md), replaced by name by `configured`, which come first.
    DestinationRules(const std::vector<DestinationRule>& configured, DestinationLimits unmatched);
    static const std::vector<DestinationRule>& builtin();

    // The rule of a recipient domain: by the domain, else by the MX host learnt for it; nullptr
    // when none matches (the domain is its own destination under the unmatched limits).
    const DestinationRule* rule_for(std::string_view domain) const;
    DestinationLimits limits(const DestinationRule* rule) const;
    // The destination key (limits and throttling) of a recipient domain whose route key is
    // `route_key`: "rule:NAME" when a rule matches, else the route key.
    std::string key_for(std::string_view domain, const std::string& route_key) const;

    // The first MX host the shell reached for `domain`; later rule_for() may match it. Bounded:
    // past kMaxLearnt domains the oldest knowledge is dropped wholesale.
    void learn_mx(std::string_view domain, std::string_view mx_host);
    static constexpr std::size_t kMaxLearnt = 100'000;

    const std::vector<DestinationRule>& rules() const { return rules_; }

private:
    std::vector<DestinationRule> rules_;
    DestinationLimits unmatched_;
    std::unordered_map<std::string, std::string> mx_of_; // lower(domain) -> lower(mx host)
};

} // namespace mailpush::delivery
