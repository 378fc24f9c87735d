// Delivery routes: parsing a [[route]] `to` value and matching a recipient domain to the route
// table (the exact domain wins over "*", no match means "mx"). Pure.
#pragma once

#include "mailpush/delivery/options.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::delivery {

struct RouteTarget {
    enum class Kind { mx, smarthost, capture, hold } kind = Kind::mx;
    std::string host; // smarthost host (IPv6 without brackets), or the capture directory
    std::uint16_t port = 25;
    bool operator==(const RouteTarget&) const = default;
};

// "mx", "hold", "capture:DIR" or "smtp://host[:port][/]"; nullopt for anything else (a bad
// port, user info, a path, a query).
std::optional<RouteTarget> parse_route(std::string_view to);

// Concurrency and rate limits apply per destination: a smarthost, a capture directory, the hold
// route, or the MX domain of the recipient.
std::string destination_key(const RouteTarget& route, std::string_view domain);

class RouteTable {
public:
    // A `to` value that does not parse makes its domain held: mail waits rather than going
    // somewhere the operator did not mean. `invalid()` names such values for the log.
    explicit RouteTable(const std::vector<Route>& routes);

    const RouteTarget& lookup(std::string_view domain) const; // `domain` in any case
    const std::vector<std::string>& invalid() const { return invalid_; }

private:
    std::map<std::string, RouteTarget, std::less<>> exact_; // lower-case domain -> target
    RouteTarget fallback_;                                  // the "*" route, or mx
    std::vector<std::string> invalid_;
};

} // namespace mailpush::delivery
