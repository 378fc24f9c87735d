// The admin API's entry point: what the daemon attaches, and the route table's answer.
#include "mailpush/api/admin_api.hpp"

#include "admin_router.hpp"
#include "admin_util.hpp"

namespace mailpush::api {
using namespace detail;

AdminApi::AdminApi(store::Store& store, spool::Spool& spool, std::vector<std::string> tokens,
                   AdminAuthLimits limits)
    : services_{store, spool}
    , auth_(std::make_unique<AdminAuth>(std::move(tokens), limits)) {}

void AdminApi::attach_delivery(delivery::DeliveryLog& log, delivery::Engine& engine) {
    services_.log = &log;
    services_.engine = &engine;
}

void AdminApi::attach_openapi(openapi::OpenApi& api, const openapi::OpenApiBackends& backends) {
    services_.openapi = &api;
    services_.backends = &backends;
}

void AdminApi::attach_notify(notify::NotifyLog& log, std::int64_t visibility_ms) {
    services_.notify_log = &log;
    services_.visibility_ms = visibility_ms;
}

ApiResponse AdminApi::handle(const ApiRequest& request) {
    return admin_router().dispatch(services_, request, *auth_);
}

ApiResponse AdminApi::reply_to_confirmation(const ApiRequest& request) {
    return reply_to_confirmation_page(services_, request);
}

ApiResponse AdminApi::unsubscribe(const ApiRequest& request) {
    return unsubscribe_page(services_, request);
}

namespace detail {
std::span<const Route> health_routes() {
    static const Route routes[] = {
        {"GET", "/v1/health", Access::public_,
         [](const AdminServices&, const RouteCall&) {
             return ok({{"status", "ok"}});
         }},
    };
    return routes;
}
} // namespace detail

} // namespace mailpush::api
