#include "mailpush/api/http_limits.hpp"

#include "mailpush/api/admin_api.hpp"
#include "mailpush/common/strings.hpp"

#include <algorithm>
#include <optional>
#include <utility>

namespace mailpush::api {
namespace {

constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * KiB;

struct RouteLimit {
    Audience audience;
    std::string_view prefix; // the path, or its beginning when it ends in '/'
    std::size_t max_body;
};

// First match wins. The OpenAPI's largest calls (HtmlBody up to the template limit, a
// BatchSendMail's parameters) fit well within 1 MiB; receiver-list uploads come through the admin
// API, whose JSON bodies carry them.
constexpr RouteLimit kRouteLimits[] = {
    {Audience::public_, "/", 1 * MiB},
    {Audience::public_, "/reply-to/confirm", 4 * KiB},
    {Audience::admin, "/v1/", 16 * MiB},
    {Audience::public_, "/console/api/", 1 * MiB}, // the OpenAPI's actions, as JSON
    {Audience::admin, "/console/api/", 16 * MiB},  // the admin API's routes
};

constexpr std::size_t kDefaultLimit = 4 * KiB; // any other path: nothing worth a body

bool fits(const RouteLimit& r, Audience audience, std::string_view path) {
    if (r.audience != audience) return false;
    if (r.prefix.size() > 1 && r.prefix.back() == '/') return path.starts_with(r.prefix);
    return path == r.prefix;
}

} // namespace

std::size_t body_limit(Audience audience, std::string_view path) {
    for (const auto& r : kRouteLimits)
        if (fits(r, audience, path)) return r.max_body;
    return kDefaultLimit;
}

namespace {
// An absolute-form target ("http://host:81/p?q") split after its authority: ("host:81", "/p?q").
std::optional<std::pair<std::string_view, std::string_view>> split_absolute_form(std::string_view target) {
    const auto scheme = target.find("://");
    if (scheme == std::string_view::npos || target.empty() || target.front() == '/') return std::nullopt;
    const auto rest = target.substr(scheme + 3);
    const auto end = std::min(rest.find_first_of("/?#"), rest.size());
    return std::pair{rest.substr(0, end), rest.substr(end)};
}
} // namespace

std::string_view request_path(std::string_view target) {
    if (const auto absolute = split_absolute_form(target))
        target = absolute->second.starts_with('/') ? absolute->second : std::string_view("/");
    return target.substr(0, target.find_first_of("?#"));
}

std::string_view request_authority(std::string_view target) {
    const auto absolute = split_absolute_form(target);
    return absolute ? absolute->first : std::string_view();
}

std::string loggable_path(std::string_view target) {
    const auto path = request_path(target);
    // The tokens are credentials: to unsubscribe, to record an open or a click.
    for (const std::string_view tokened : {"/u/", "/o/", "/c/"})
        if (path.starts_with(tokened)) return std::string(tokened) + "{token}";
    return std::string(path);
}

bool PeerConnections::try_add(const std::string& peer) {
    std::lock_guard lock(mutex_);
    auto& n = open_[peer];
    if (n >= max_) return false;
    ++n;
    return true;
}

void PeerConnections::remove(const std::string& peer) {
    std::lock_guard lock(mutex_);
    const auto it = open_.find(peer);
    if (it == open_.end()) return;
    if (--it->second == 0) open_.erase(it);
}

std::string request_header(const ApiRequest& request, std::string_view name) {
    for (const auto& [key, value] : request.headers)
        if (common::iequals(key, name)) return value;
    return {};
}

} // namespace mailpush::api
