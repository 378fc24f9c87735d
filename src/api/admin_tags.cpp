// /v1/tags: an account's mail tags (reports group by them).
#include "admin_router.hpp"
#include "admin_util.hpp"

#include "mailpush/store/store.hpp"

namespace mailpush::api::detail {
namespace {

json to_json(const store::Tag& t) {
    return {{"account", t.account},
            {"name", t.name},
            {"description", t.description},
            {"created_at", t.created_at},
            {"id", t.id}};
}

// Rename and/or describe; a field left out keeps its value.
ApiResponse update_tag(const AdminServices& s, const RouteCall& c) {
    const auto &account = c.param("account"), &name = c.param("name");
    std::string description;
    for (const auto& t : s.store.list_tags(account))
        if (t.name == name) description = t.description;
    const auto new_name = field(c.body, "name", false);
    const auto new_desc =
        c.body.is_object() && c.body.contains("description") ? field(c.body, "description") : description;
    return ok(to_json(s.store.update_tag(account, name, new_name.empty() ? name : new_name, new_desc)));
}

} // namespace

std::span<const Route> tag_routes() {
    static const Route routes[] = {
        {"GET", "/v1/tags", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(list_json(s.store.list_tags(c.query_or_empty("account")),
                                 [](const auto& t) { return to_json(t); }));
         }},
        {"POST", "/v1/tags", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(to_json(s.store.add_tag(field(c.body, "account"), field(c.body, "name"),
                                               field(c.body, "description", false))),
                       201);
         }},
        {"PATCH", "/v1/tags/{account}/{name}", Access::admin, update_tag},
        {"DELETE", "/v1/tags/{account}/{name}", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             s.store.remove_tag(c.param("account"), c.param("name"));
             return ok(deleted(c.param("name")));
         }},
    };
    return routes;
}

} // namespace mailpush::api::detail
