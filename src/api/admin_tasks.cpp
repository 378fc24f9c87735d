// /v1/tasks: batch send tasks (a template to a recipient list).
#include "admin_router.hpp"
#include "admin_util.hpp"

#include "mailpush/openapi/openapi.hpp"
#include "mailpush/openapi/send_service.hpp"
#include "mailpush/store/store.hpp"

namespace mailpush::api::detail {
namespace {

json to_json(const store::SendTask& t) {
    return {{"id", t.id},
            {"account", t.account},
            {"address", t.address},
            {"address_type", t.address_type},
            {"template", t.template_name},
            {"receivers", t.receivers},
            {"tag", t.tag},
            {"status", t.status},
            {"total", t.total},
            {"queued", t.queued},
            {"skipped", t.skipped},
            {"track", t.track},
            {"created_at", t.created_at}};
}

ApiResponse send_task(const AdminServices& s, const RouteCall& c) {
    if (!s.openapi) throw HttpError{503, "Unavailable", "sending is not available"};
    openapi::BatchSend b;
    b.account = field(c.body, "account");
    b.sender = field(c.body, "address");
    b.template_name = field(c.body, "template");
    b.receivers = field(c.body, "receivers");
    b.tag = field(c.body, "tag", false);
    b.address_type = static_cast<int>(int_field(c.body, "address_type").value_or(1));
    b.click_trace = c.body.is_object() && c.body.contains("track") && bool_field(c.body, "track");
    std::uint64_t first = 0;
    try {
        // The operator's task is the server's own work: no IP protection check.
        return ok(to_json(s.openapi->sender().batch(b, common::ClientOrigin::internal(), unix_now(), first)),
                  201);
    } catch (const openapi::ApiError& e) {
        throw HttpError{e.status == 404 ? 404u : 422u, e.code, e.message};
    }
}

} // namespace

std::span<const Route> task_routes() {
    static const Route routes[] = {
        {"GET", "/v1/tasks", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(list_json(s.store.list_tasks(c.query_or_empty("account")),
                                 [](const auto& t) { return to_json(t); }));
         }},
        {"POST", "/v1/tasks", Access::admin, send_task},
    };
    return routes;
}

} // namespace mailpush::api::detail
