#include "mailpush/openapi/public_names.hpp"

#include "mailpush/common/http_url.hpp"
#include "mailpush/common/strings.hpp"

#include <algorithm>

namespace mailpush::openapi {
namespace {
std::string normalized(std::string_view name) {
    std::string out = common::to_lower(common::trim(name));
    if (!out.empty() && out.back() == '.') out.pop_back();
    return out;
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
} // namespace

std::vector<std::string> default_public_names(std::string_view hostname, std::string_view public_url) {
    std::vector<std::string> names;
    if (!hostname.empty()) names.push_back(normalized(hostname));
    if (const auto url = common::parse_http_url(public_url)) names.push_back(normalized(url->host));
    for (const char* loopback : {"localhost", "127.0.0.1", "::1"})
        names.emplace_back(loopback);
    return names;
}

std::string host_without_port(std::string_view host) {
    host = common::trim(host);
    if (host.starts_with('[')) { // IPv6 literal, "[::1]" or "[::1]:8080"
        const auto close = host.find(']');
        if (close == std::string_view::npos) return {};
        const auto rest = host.substr(close + 1);
        if (!rest.empty() && !(rest.front() == ':' && all_digits(rest.substr(1)))) return {};
        return normalized(host.substr(1, close - 1));
    }
    const auto colon = host.find(':');
    if (colon != std::string_view::npos) {
        if (!all_digits(host.substr(colon + 1))) return {}; // a second colon, or a named port
        host = host.substr(0, colon);
    }
    return normalized(host);
}

bool is_public_name(std::string_view host_header, const std::vector<std::string>& names) {
    const std::string host = host_without_port(host_header);
    if (host.empty()) return false;
    return std::any_of(names.begin(), names.end(),
                       [&](const std::string& name) { return normalized(name) == host; });
}

} // namespace mailpush::openapi
