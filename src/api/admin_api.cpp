// The admin API's entry point: what the daemon attaches, and the route table's answer.
#include "mailpush/api/admin_api.hpp"

#include "admin_router.hpp"
#include "admin_util.hpp"

#include "mailpush/common/version.hpp"
#include "mailpush/notify/notify_log.hpp"
#include "mailpush/spool/spool.hpp"
#include "mailpush/store/store.hpp"

namespace mailpush::api {
using namespace detail;

AdminApi::AdminApi(store::Store& store, spool::Spool& spool, std::vector<std::string> tokens,
                   AdminAuthLimits limits)
    : services_{store, spool, nullptr, nullptr, nullptr, nullptr, nullptr, 30'000, 480, unix_now()}
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
        // The operator's view of the server (the console's health page, mailpushctl status).
        {"GET", "/v1/status", Access::admin,
         [](const AdminServices& s, const RouteCall&) {
             return ok({{"version", common::version()},
                        {"started_s", s.started_s},
                        {"uptime_s", unix_now() - s.started_s},
                        {"queued_messages", s.spool.size()},
                        {"storage_low", s.spool.storage_low()},
                        {"notify_outbox", s.notify_log ? s.notify_log->outbox_size() : 0},
                        {"accounts", s.store.list_accounts().size()}});
         }},
    };
    return routes;
}
} // namespace detail

} // namespace mailpush::api
