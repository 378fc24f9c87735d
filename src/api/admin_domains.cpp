// /v1/domains: sending domains and the check of their DNS records.
#include "admin_router.hpp"
#include "admin_util.hpp"

#include "mailpush/openapi/openapi.hpp"
#include "mailpush/store/store.hpp"
#include "mailpush/verification/dmarc.hpp"

namespace mailpush::api::detail {
namespace {

json dkim_json(const std::vector<store::DkimKey>& keys) {
    json out = json::array();
    for (const auto& k : keys)
        out.push_back({{"selector", k.selector},
                       {"algorithm", k.algorithm},
                       {"rsa_bits", k.rsa_bits},
                       {"state", k.state},
                       {"public_key", k.public_b64},
                       {"created_s", k.created_s},
                       {"activated_s", k.activated_s},
                       {"retired_s", k.retired_s}});
    return out;
}

json dmarc_json(const store::Domain& d) {
    const auto r = verification::domain_dmarc(d);
    return {{"record", r.record},
            {"policy", r.policy},
            {"spf_aligned", r.spf_aligned},
            {"dkim_aligned", r.dkim_aligned},
            {"pass", r.pass()}};
}

json to_json(const store::Domain& d) {
    const json records = records_json(d.checks);
    return {{"domain", d.name},          {"account", d.account},  {"created_at", d.created_at},
            {"verified", d.verified},    {"records", records},    {"id", d.id},
            {"dkim", dkim_json(d.dkim)}, {"dmarc", dmarc_json(d)}};
}

store::DkimOptions dkim_options(const json& body) {
    store::DkimOptions o;
    if (const auto bits = int_field(body, "dkim_rsa_bits")) o.rsa_bits = static_cast<int>(*bits);
    if (body.is_object() && body.contains("dkim_ed25519")) o.ed25519 = bool_field(body, "dkim_ed25519");
    return o;
}

// A new key (per algorithm the domain signs with) is published; it signs once `verify` found
// its record, and the key it replaces is retired then.
ApiResponse rotate_dkim(const AdminServices& s, const RouteCall& c) {
    int bits = 0;
    if (const auto b = int_field(c.body, "rsa_bits")) bits = static_cast<int>(*b);
    const auto domain = s.store.get_domain(c.param("domain"));
    s.store.rotate_dkim(domain.name, bits);
    admin_change_event(c, "dkim_rotate", domain.account, domain.name);
    return ok(to_json(s.store.get_domain(domain.name)));
}

// Looks the records up now and stores what was found.
ApiResponse verify_domain(const AdminServices& s, const RouteCall& c) {
    if (!s.backends || !s.backends->check_dns)
        throw HttpError{503, "Unavailable", "DNS checks are not available"};
    const auto domain = s.store.get_domain(c.param("domain"));
    const auto checked = s.store.record_domain_checks(domain.name, s.backends->check_dns(domain.checks));
    return ok({{"domain", checked.name},
               {"verified", checked.verified},
               {"records", records_json(checked.checks)},
               {"dkim", dkim_json(checked.dkim)},
               {"dmarc", dmarc_json(checked)}});
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
             const auto dkim = dkim_options(c.body);
             return ok(to_json(s.store.add_domain(field(c.body, "account"), field(c.body, "domain"), dkim)),
                       201);
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
        {"POST", "/v1/domains/{domain}/dkim/rotate", Access::admin, rotate_dkim},
    };
    return routes;
}

} // namespace mailpush::api::detail
