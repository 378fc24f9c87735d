// The admin REST API (/v1/..., JSON, bearer token): routing and handlers, independent of the
// HTTP transport. Blocking (SQLite): the HTTP server runs it on a worker pool.
// Handles untrusted input: the path, query and JSON body of every request.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mailpush::spool {
class Spool;
}
namespace mailpush::store {
class Store;
}
namespace mailpush::delivery {
class DeliveryLog;
class Engine;
} // namespace mailpush::delivery
namespace mailpush::notify {
class NotifyLog;
}
namespace mailpush::openapi {
class OpenApi;
struct OpenApiBackends;
} // namespace mailpush::openapi

namespace mailpush::api {

struct ApiRequest {
    std::string method; // "GET", "POST", ...
    std::string target; // path and query, still percent-encoded
    std::string body;
    std::string authorization;                                // the Authorization header
    std::vector<std::pair<std::string, std::string>> headers; // every header, as received
    std::string peer_ip;
};

struct ApiResponse {
    unsigned status = 200;
    std::string body; // JSON unless content_type says otherwise
    std::string content_type = "application/json";
};

class AdminApi {
public:
    AdminApi(store::Store& store, spool::Spool& spool, std::string admin_token);
    void attach_delivery(delivery::DeliveryLog& log, delivery::Engine& engine);
    // The OpenAPI's send service (reply-to verification mails) and DNS checks.
    void attach_openapi(openapi::OpenApi& api, const openapi::OpenApiBackends& backends);
    void set_utc_offset(int minutes) { utc_offset_minutes_ = minutes; } // reporting days (+08:00)
    // Notification targets and the pull queue (admin_notify.cpp).
    void attach_notify(notify::NotifyLog& log, std::int64_t visibility_ms);
    ApiResponse handle(const ApiRequest& request);

private:
    // Tags, recipient lists, templates, access keys, send tasks (admin_content.cpp).
    std::optional<ApiResponse> handle_content(const std::string& method, const std::vector<std::string>& path,
                                              const std::map<std::string, std::string>& query,
                                              const nlohmann::json& body);
    std::optional<ApiResponse> handle_notify(const std::string& method, const std::vector<std::string>& path,
                                             const std::map<std::string, std::string>& query,
                                             const nlohmann::json& body);
    notify::NotifyLog* notify_log_ = nullptr;
    std::int64_t visibility_ms_ = 30'000;
    openapi::OpenApi* openapi_ = nullptr;
    int utc_offset_minutes_ = 480; // reporting: the local day of from/to
    const openapi::OpenApiBackends* backends_ = nullptr;
    delivery::DeliveryLog* log_ = nullptr;
    delivery::Engine* engine_ = nullptr;
    store::Store& store_;
    spool::Spool& spool_;
    std::string token_;
};

} // namespace mailpush::api
