// /v1/templates: mail templates and their review (submit, approve, reject).
#include "admin_router.hpp"
#include "admin_util.hpp"

#include "mailpush/store/store.hpp"

namespace mailpush::api::detail {
namespace {

json to_json(const store::Template& t) {
    return {{"account", t.account},
            {"name", t.name},
            {"subject", t.subject},
            {"body", t.body},
            {"from_alias", t.from_alias},
            {"type", t.type},
            {"status", t.status},
            {"reason", t.reason},
            {"created_at", t.created_at},
            {"updated_at", t.updated_at},
            {"id", t.id}};
}

store::TemplateInput template_input(const json& body, const std::string& name) {
    return {name, field(body, "subject"), field(body, "body"), field(body, "from_alias", false),
            field(body, "type", false)};
}

} // namespace

std::span<const Route> template_routes() {
    static const Route routes[] = {
        {"GET", "/v1/templates", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(list_json(s.store.list_templates(c.query_or_empty("account")),
                                 [](const auto& t) { return to_json(t); }));
         }},
        {"POST", "/v1/templates", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(to_json(s.store.add_template(field(c.body, "account"),
                                                    template_input(c.body, field(c.body, "name")))),
                       201);
         }},
        {"GET", "/v1/templates/{account}/{name}", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(to_json(s.store.get_template(c.param("account"), c.param("name"))));
         }},
        {"PUT", "/v1/templates/{account}/{name}", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(to_json(s.store.update_template(
                 c.param("account"), c.param("name"), template_input(c.body, field(c.body, "name", false)))));
         }},
        {"DELETE", "/v1/templates/{account}/{name}", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             s.store.remove_template(c.param("account"), c.param("name"));
             return ok(deleted(c.param("name")));
         }},
        // submit, approve or reject; the store refuses any other action
        {"POST", "/v1/templates/{account}/{name}/{action}", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(to_json(s.store.set_template_state(
                 c.param("account"), c.param("name"), c.param("action"), field(c.body, "reason", false))));
         }},
    };
    return routes;
}

} // namespace mailpush::api::detail
