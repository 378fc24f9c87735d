// /v1/domains: sending domains and the check of their DNS records.
#include "admin_router.hpp"
#include "admin_util.hpp"

#include "mailpush/openapi/openapi.hpp"
#include "mailpush/store/store.hpp"

namespace mailpush::api::detail {
namespace {

json to_json(const store::Domain& d) {
    const json records = records_json(d.checks);
    return {{"domain", d.name},       {"account", d.account}, {"created_at", d.created_at},
            {"verified", d.verified}, {"records", records},   {"id", d.id}};
}

// Looks the records up now and stores what was found.
ApiResponse verify_domain(const AdminServices& s, const RouteCall& c) {
    if (!s.backends || !s.backends->check_dns)
        throw HttpError{503, "Unavailable", "DNS checks are not available"};
    const auto domain = s.store.get_domain(c.param("domain"));
    const auto checked = s.store.record_domain_checks(domain.name, s.backends->check_dns(domain.checks));
    return ok({{"domain", checked.name},
               {"verified", checked.verified},
               {"records", records_json(checked.checks)}});
}

} // namespace

std::span<const Route> domain_routes() {
    static const Route routes[] = {
        {"GET", "/v1/domains", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(list_json(s.store.list_domains(c.query_or_empty("account")),
                                 [](const auto& d) { return to_json(d); }));
         }},
        {"POST", "/v1/domains", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(to_json(s.store.add_domain(field(c.body, "account"), field(c.body, "domain"))), 201);
         }},
        {"GET", "/v1/domains/{domain}", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(to_json(s.store.get_domain(c.param("domain"))));
         }},
        {"DELETE", "/v1/domains/{domain}", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             s.store.remove_domain(c.param("domain"));
             return ok(deleted(c.param("domain")));
         }},
        {"POST", "/v1/domains/{domain}/verify", Access::admin, verify_domain},
    };
    return routes;
}

} // namespace mailpush::api::detail
