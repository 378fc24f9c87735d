// The admin API's routing table: rows of {method, path pattern, who may call it, handler}, one
// list per resource file. The router matches method and path (`{name}` captures one segment),
// checks the caller, parses the body and turns every exception into a reply.
#pragma once

#include "mailpush/api/admin_api.hpp"
#include "mailpush/api/admin_auth.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::api::detail {

enum class Access {
    admin,  // the bearer admin token
    public_ // no token: health, and the link mailed to a reply-to address (the token in it is the credential)
};

// One matched request, as a handler sees it.
struct RouteCall {
    const ApiRequest& request;
    const std::map<std::string, std::string>& query; // decoded
    const nlohmann::json& body;                      // null when empty; not parsed for public routes
    std::map<std::string, std::string> params;       // the pattern's captures, decoded

    const std::string& param(const std::string& name) const { return params.at(name); }
    std::string query_or_empty(const std::string& key) const {
        const auto it = query.find(key);
        return it == query.end() ? std::string() : it->second;
    }
};

using Handler = ApiResponse (*)(const AdminServices&, const RouteCall&);

struct Route {
    const char* method;
    const char* pattern; // "/v1/accounts/{name}/usage"
    Access access;
    Handler handler;
};

// The route lists, one per resource file (admin_<resource>.cpp).
std::span<const Route> health_routes();
std::span<const Route> account_routes();
std::span<const Route> ip_protection_routes();
std::span<const Route> domain_routes();
std::span<const Route> address_routes();
std::span<const Route> invalid_address_routes();
std::span<const Route> queue_routes();
std::span<const Route> access_key_routes();
std::span<const Route> tag_routes();
std::span<const Route> receiver_list_routes();
std::span<const Route> template_routes();
std::span<const Route> task_routes();
std::span<const Route> report_routes();
std::span<const Route> tracking_routes(); // admin_tracking.cpp: tracking statistics
std::span<const Route> notify_routes();
std::span<const Route> suppression_routes();
std::span<const Route> traffic_routes();      // admin_traffic.cpp: account traffic overrides, blocks
std::span<const Route> tracking_key_routes(); // admin_tracking_keys.cpp: tracking token keys

// The reply-to confirmation link on the public listener (admin_addresses.cpp). Never throws.
ApiResponse reply_to_confirmation_page(const AdminServices& services, const ApiRequest& request);
// The one-click unsubscribe link /u/{token} (admin_suppression.cpp). Never throws.
ApiResponse unsubscribe_page(const AdminServices& services, const ApiRequest& request);

class Router {
public:
    explicit Router(std::vector<std::span<const Route>> tables);

    // Never throws. 401 (or 429 for a client over its failed-login budget) before anything else
    // for an admin route or an unknown one; 404 for no match (whatever the method: a wrong method
    // is an unknown endpoint).
    ApiResponse dispatch(const AdminServices& services, const ApiRequest& request, AdminAuth& auth) const;

    struct Match {
        const Route* route = nullptr;
        std::map<std::string, std::string> params;
    };
    // The first row whose method and pattern fit `path` (decoded segments, empty ones dropped).
    Match match(std::string_view method, const std::vector<std::string>& path) const;

private:
    struct Compiled {
        const Route* route;
        std::vector<std::string> segments; // "{name}" is a capture
    };
    std::vector<Compiled> routes_;
};

// The table of every route, built once.
const Router& admin_router();

std::vector<std::string> split_path(std::string_view path); // percent-decoded, empty segments dropped
std::map<std::string, std::string> parse_query(std::string_view query);

} // namespace mailpush::api::detail
