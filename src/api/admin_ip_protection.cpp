// /v1/accounts/{name}/ip-protection: the addresses an account's API callers may come from.
#include "admin_router.hpp"
#include "admin_util.hpp"

#include "mailpush/store/store.hpp"

namespace mailpush::api::detail {
namespace {
json to_json(const store::IpProtection& p) {
    return {{"enabled", p.enabled}, {"entries", p.entries}};
}
} // namespace

std::span<const Route> ip_protection_routes() {
    static const Route routes[] = {
        {"GET", "/v1/accounts/{name}/ip-protection", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(to_json(s.store.get_ip_protection(c.param("name"))));
         }},
        {"PATCH", "/v1/accounts/{name}/ip-protection", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             const auto p = s.store.set_ip_protection(c.param("name"), bool_field(c.body, "enabled"));
             admin_change_event(c, "ip_protection_changed", c.param("name"),
                                p.enabled ? "enabled" : "disabled");
             return ok(to_json(p));
         }},
        {"POST", "/v1/accounts/{name}/ip-protection/entries", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             const auto entry = field(c.body, "entry");
             const auto p = s.store.add_ip_entry(c.param("name"), entry);
             admin_change_event(c, "ip_protection_changed", c.param("name"), "added " + entry);
             return ok(to_json(p), 201);
         }},
        {"DELETE", "/v1/accounts/{name}/ip-protection/entries/{entry}", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             const auto p = s.store.remove_ip_entry(c.param("name"), c.param("entry"));
             admin_change_event(c, "ip_protection_changed", c.param("name"), "removed " + c.param("entry"));
             return ok(to_json(p));
         }},
    };
    return routes;
}

} // namespace mailpush::api::detail
