// The admin REST API (/v1/..., JSON, bearer token), independent of the HTTP transport: a table of
// routes (src/api/admin_router.*) over one file of handlers per resource (src/api/admin_*.cpp).
// Blocking (SQLite): the HTTP server runs it on a worker pool.
// Handles untrusted input: the path, query and JSON body of every request.
#pragma once

#include "mailpush/api/admin_auth.hpp"

#include <cstdint>
#include <memory>
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
    bool secure = false;           // it came over TLS
    bool operator_session = false; // the console's operator session stands for the token (set by the server)
};

struct ApiResponse {
    using Headers = std::vector<std::pair<std::string, std::string>>;
    ApiResponse(unsigned status_ = 200, std::string body_ = {},
                std::string content_type_ = "application/json", Headers headers_ = {})
        : status(status_)
        , body(std::move(body_))
        , content_type(std::move(content_type_))
        , headers(std::move(headers_)) {}
    unsigned status;
    std::string body; // JSON unless content_type says otherwise
    std::string content_type;
    Headers headers; // more headers; they replace the server's defaults
};

// What the handlers work with. The store and spool are always there; the rest is attached when the
// daemon runs the module (a handler answers 503 when its part is missing).
struct AdminServices {
    store::Store& store;
    spool::Spool& spool;
    delivery::DeliveryLog* log = nullptr;
    delivery::Engine* engine = nullptr;
    openapi::OpenApi* openapi = nullptr;
    const openapi::OpenApiBackends* backends = nullptr; // DNS checks
    notify::NotifyLog* notify_log = nullptr;
    std::int64_t visibility_ms = 30'000; // the pull queue's visibility timeout
    int utc_offset_minutes = 480;        // reporting: the local day of from/to
    std::int64_t started_s = 0;          // when the server started (unix seconds)
};

class AdminApi {
public:
    // `tokens`: the bearer tokens accepted (the token file's, the config's).
    AdminApi(store::Store& store, spool::Spool& spool, std::vector<std::string> tokens,
             AdminAuthLimits limits = {});
    void attach_delivery(delivery::DeliveryLog& log, delivery::Engine& engine);
    // The OpenAPI's send service (reply-to verification mails) and DNS checks.
    void attach_openapi(openapi::OpenApi& api, const openapi::OpenApiBackends& backends);
    void set_utc_offset(int minutes) { services_.utc_offset_minutes = minutes; } // reporting days (+08:00)
    // Notification targets and the pull queue.
    void attach_notify(notify::NotifyLog& log, std::int64_t visibility_ms);
    // Never throws: every failure is a JSON error reply (500 without detail for the unexpected).
    ApiResponse handle(const ApiRequest& request);
    // The reply-to confirmation link of the public listener: GET shows a page with a button
    // (it confirms nothing, so a link scanner cannot), POST confirms. Never throws.
    ApiResponse reply_to_confirmation(const ApiRequest& request);
    // The one-click unsubscribe link /u/{token} (docs/suppression.md). Never throws.
    ApiResponse unsubscribe(const ApiRequest& request);
    // The token check of the operator listener, for what it serves besides the routes (/metrics).
    AdminAuth& auth() { return *auth_; }

private:
    AdminServices services_;
    std::unique_ptr<AdminAuth> auth_;
};

} // namespace mailpush::api
