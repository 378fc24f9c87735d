// The admin REST API (/v1/..., JSON, bearer token): routing and handlers, independent of the
// HTTP transport. Blocking (SQLite): the HTTP server runs it on a worker pool.
// Handles untrusted input: the path, query and JSON body of every request.
#pragma once

#include <string>

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

namespace mailpush::api {

struct ApiRequest {
    std::string method; // "GET", "POST", ...
    std::string target; // path and query, still percent-encoded
    std::string body;
    std::string authorization; // the Authorization header
};

struct ApiResponse {
    unsigned status = 200;
    std::string body; // JSON
};

class AdminApi {
public:
    AdminApi(store::Store& store, spool::Spool& spool, std::string admin_token);
    void attach_delivery(delivery::DeliveryLog& log, delivery::Engine& engine);
    ApiResponse handle(const ApiRequest& request);

private:
    delivery::DeliveryLog* log_ = nullptr;
    delivery::Engine* engine_ = nullptr;
    store::Store& store_;
    spool::Spool& spool_;
    std::string token_;
};

std::string percent_decode(std::string_view s, bool plus_as_space);

} // namespace mailpush::api
