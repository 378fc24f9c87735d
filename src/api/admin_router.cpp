// Matching, the caller check, and the one place where errors become replies: every error is a JSON
// object {"error":{"code","message"}} with a fitting HTTP status; nothing is changed when a
// request is refused.
#include "admin_router.hpp"

#include "admin_util.hpp"

#include "mailpush/common/calendar.hpp"
#include "mailpush/common/url.hpp"
#include "mailpush/store/store.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace mailpush::api::detail {
namespace {

bool is_capture(const std::string& segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

unsigned status_for(store::ErrorKind k) {
    switch (k) {
    case store::ErrorKind::invalid:
    case store::ErrorKind::limit:
        return 422;
    case store::ErrorKind::not_found:
        return 404;
    case store::ErrorKind::conflict:
        return 409;
    }
    return 500;
}

const char* code_for(store::ErrorKind k) {
    switch (k) {
    case store::ErrorKind::invalid:
        return "InvalidParameter";
    case store::ErrorKind::not_found:
        return "NotFound";
    case store::ErrorKind::conflict:
        return "Conflict";
    case store::ErrorKind::limit:
        return "LimitExceeded";
    }
    return "InternalError";
}

// The detail goes to the log only: it may name tables, files or SQL. The path has no query (a
// reply-to confirmation token is a credential).
ApiResponse internal_error(const ApiRequest& request, std::string_view path, std::string_view detail) {
    spdlog::error("admin API: {} {} failed: {}", request.method, path, detail);
    return error_response(500, "InternalError", "internal error");
}

} // namespace

std::int64_t unix_now() {
    return common::unix_seconds_now();
}

ApiResponse store_error_response(const store::StoreError& e) {
    return error_response(status_for(e.kind()), code_for(e.kind()), e.what());
}

unsigned store_error_status(const store::StoreError& e) {
    return status_for(e.kind());
}

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start < path.size()) {
        auto end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        if (end > start) parts.push_back(common::percent_decode(path.substr(start, end - start), false));
        start = end + 1;
    }
    return parts;
}

std::map<std::string, std::string> parse_query(std::string_view q) {
    std::map<std::string, std::string> out;
    std::size_t start = 0;
    while (start < q.size()) {
        auto end = q.find('&', start);
        if (end == std::string_view::npos) end = q.size();
        const auto item = q.substr(start, end - start);
        const auto eq = item.find('=');
        out[common::percent_decode(item.substr(0, eq), true)] =
            eq == std::string_view::npos ? "" : common::percent_decode(item.substr(eq + 1), true);
        start = end + 1;
    }
    return out;
}

Router::Router(std::vector<std::span<const Route>> tables) {
    for (const auto& table : tables)
        for (const auto& route : table)
            routes_.push_back({&route, split_path(route.pattern)});
}

Router::Match Router::match(std::string_view method, const std::vector<std::string>& path) const {
    for (const auto& c : routes_) {
        if (c.route->method != method || c.segments.size() != path.size()) continue;
        Match m{c.route, {}};
        for (std::size_t i = 0; i < path.size() && m.route; ++i) {
            if (is_capture(c.segments[i]))
                m.params[c.segments[i].substr(1, c.segments[i].size() - 2)] = path[i];
            else if (c.segments[i] != path[i])
                m.route = nullptr;
        }
        if (m.route) return m;
    }
    return {};
}

ApiResponse Router::dispatch(const AdminServices& services, const ApiRequest& request,
                             AdminAuth& auth) const {
    const auto qpos = request.target.find('?');
    const std::string_view path_text = std::string_view(request.target).substr(0, qpos);
    try {
        const auto path = split_path(path_text);
        const auto query = qpos == std::string::npos
                               ? std::map<std::string, std::string>{}
                               : parse_query(std::string_view(request.target).substr(qpos + 1));
        auto found = match(request.method, path);
        const bool is_public = found.route && found.route->access == Access::public_;
        if (!is_public && !request.operator_session) {
            switch (auth.check(request.authorization, request.peer_ip, std::string(path_text))) {
            case AdminAuth::Verdict::allowed:
                break;
            case AdminAuth::Verdict::unauthorized:
                return error_response(401, "Unauthorized", "missing or wrong bearer token");
            case AdminAuth::Verdict::throttled:
                return error_response(429, "TooManyRequests",
                                      "too many failed logins from this address; retry later");
            }
        }
        nlohmann::json body;
        if (!is_public && !request.body.empty()) {
            body = nlohmann::json::parse(request.body, nullptr, false);
            if (body.is_discarded())
                throw HttpError{400, "InvalidBody", "the request body is not valid JSON"};
        }
        if (!found.route) {
            if (path.empty() || path[0] != "v1") throw HttpError{404, "NotFound", "no such endpoint"};
            throw HttpError{404, "NotFound",
                            "no such endpoint: " + request.method + " " + std::string(path_text)};
        }
        const RouteCall call{request, query, body, std::move(found.params)};
        return found.route->handler(services, call);
    } catch (const HttpError& e) {
        return error_response(e.status, e.code, e.message);
    } catch (const store::StoreError& e) {
        return store_error_response(e);
    } catch (const std::exception& e) {
        return internal_error(request, path_text, e.what());
    } catch (...) {
        return internal_error(request, path_text, "unknown exception");
    }
}

const Router& admin_router() {
    static const Router router({health_routes(), account_routes(), ip_protection_routes(), domain_routes(),
                                address_routes(), invalid_address_routes(), queue_routes(),
                                access_key_routes(), tag_routes(), receiver_list_routes(), template_routes(),
                                task_routes(), report_routes(), tracking_routes(), notify_routes(),
                                suppression_routes(), traffic_routes(), tracking_key_routes()});
    return router;
}

} // namespace mailpush::api::detail
