#include "mailpush/delivery/route.hpp"

#include "mailpush/common/strings.hpp"

#include <boost/url/parse.hpp>

namespace mailpush::delivery {

namespace {
std::optional<RouteTarget> parse_smarthost(std::string_view to) {
    auto parsed = boost::urls::parse_uri(to);
    if (!parsed) return std::nullopt;
    const auto& u = *parsed;
    if (!u.has_authority() || u.has_userinfo() || u.has_query() || u.has_fragment()) return std::nullopt;
    if (!u.encoded_path().empty() && u.encoded_path() != "/") return std::nullopt;
    RouteTarget out{RouteTarget::Kind::smarthost, u.encoded_host_address().decode(), 25};
    if (out.host.empty()) return std::nullopt;
    if (u.has_port()) {
        // port_number() wraps values past 65535: judge the digits.
        const auto port = common::parse_u64(u.port());
        if (!port || *port == 0 || *port > 65535) return std::nullopt;
        out.port = static_cast<std::uint16_t>(*port);
    }
    return out;
}
} // namespace

std::optional<RouteTarget> parse_route(std::string_view to) {
    if (to == "mx") return RouteTarget{RouteTarget::Kind::mx, "", 25};
    if (to == "hold") return RouteTarget{RouteTarget::Kind::hold, "", 25};
    if (to.starts_with("capture:") && to.size() > 8)
        return RouteTarget{RouteTarget::Kind::capture, std::string(to.substr(8)), 25};
    if (to.starts_with("smtp://")) return parse_smarthost(to);
    return std::nullopt;
}

std::string destination_key(const RouteTarget& route, std::string_view domain) {
    switch (route.kind) {
    case RouteTarget::Kind::smarthost:
        return "smtp:" + route.host + ":" + std::to_string(route.port);
    case RouteTarget::Kind::capture:
        return "capture:" + route.host;
    case RouteTarget::Kind::hold:
        return "hold";
    case RouteTarget::Kind::mx:
        break;
    }
    return "mx:" + std::string(domain);
}

RouteTable::RouteTable(const std::vector<Route>& routes) {
    for (const auto& r : routes) {
        auto target = parse_route(r.to);
        if (!target) {
            invalid_.push_back(r.to);
            target = RouteTarget{RouteTarget::Kind::hold, "", 25};
        }
        if (r.domain == "*")
            fallback_ = std::move(*target); // the last "*" wins
        else
            exact_.emplace(common::to_lower(r.domain), std::move(*target)); // the first entry wins
    }
}

const RouteTarget& RouteTable::lookup(std::string_view domain) const {
    const auto it = exact_.find(common::to_lower(domain));
    return it == exact_.end() ? fallback_ : it->second;
}

} // namespace mailpush::delivery
