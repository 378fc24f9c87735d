// /v1/receiver-lists: recipient lists for batch sending, their upload and members.
#include "admin_router.hpp"
#include "admin_util.hpp"

#include "mailpush/openapi/receiver_upload.hpp"
#include "mailpush/store/store.hpp"

namespace mailpush::api::detail {
namespace {

json to_json(const store::ReceiverList& l) {
    return {{"account", l.account},
            {"name", l.name},
            {"alias", l.alias},
            {"description", l.description},
            {"count", l.count},
            {"created_at", l.created_at},
            {"id", l.id}};
}

json to_json(const store::ReceiverRow& r) {
    return {{"EAddr", r.email},   {"UserName", r.user_name}, {"NickName", r.nick_name},
            {"Gender", r.gender}, {"Birthday", r.birthday},  {"Mobile", r.mobile}};
}

// Good rows are stored, bad rows reported by line.
ApiResponse upload(const AdminServices& s, const RouteCall& c) {
    const auto outcome =
        openapi::import_receivers(s.store, c.param("account"), c.param("name"), field(c.body, "content"));
    json errors = json::array();
    for (const auto& e : outcome.errors)
        errors.push_back({{"line", e.line}, {"EAddr", e.email}, {"reason", e.reason}});
    return ok({{"rows", outcome.rows},
               {"added", outcome.added},
               {"updated", outcome.updated},
               {"rejected", errors.size()},
               {"errors", errors}});
}

ApiResponse members(const AdminServices& s, const RouteCall& c) {
    std::size_t limit = 1000;
    if (c.query.count("limit")) {
        try {
            limit = std::stoul(c.query.at("limit"));
        } catch (const std::exception&) {
            throw HttpError{400, "InvalidParameter", "limit must be a number"};
        }
    }
    return ok(
        list_json(s.store.list_receivers(c.param("account"), c.param("name"), c.query_or_empty("key"), limit),
                  [](const auto& r) { return to_json(r); }));
}

} // namespace

std::span<const Route> receiver_list_routes() {
    static const Route routes[] = {
        {"GET", "/v1/receiver-lists", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(list_json(s.store.list_receiver_lists(c.query_or_empty("account")),
                                 [](const auto& l) { return to_json(l); }));
         }},
        {"POST", "/v1/receiver-lists", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(to_json(s.store.add_receiver_list(field(c.body, "account"), field(c.body, "name"),
                                                         field(c.body, "alias"),
                                                         field(c.body, "description", false))),
                       201);
         }},
        {"GET", "/v1/receiver-lists/{account}/{name}", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(to_json(s.store.get_receiver_list(c.param("account"), c.param("name"))));
         }},
        {"DELETE", "/v1/receiver-lists/{account}/{name}", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             s.store.remove_receiver_list(c.param("account"), c.param("name"));
             return ok(deleted(c.param("name")));
         }},
        {"POST", "/v1/receiver-lists/{account}/{name}/upload", Access::admin, upload},
        {"GET", "/v1/receiver-lists/{account}/{name}/members", Access::admin, members},
        {"DELETE", "/v1/receiver-lists/{account}/{name}/members/{address}", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             s.store.remove_receiver(c.param("account"), c.param("name"), c.param("address"));
             return ok(deleted(c.param("address")));
         }},
    };
    return routes;
}

} // namespace mailpush::api::detail
