// DKIM and DMARC in the domain actions: DescDomain's Dkim*/Dmarc* fields and
// ChangeDomainDkimRecord (a key rotation: the new key is published, and signs once CheckDomain
// found its record).
#include "actions.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/store/dkim_keys.hpp"
#include "mailpush/store/store.hpp"

#include <algorithm>

namespace mailpush::openapi::detail {
using nlohmann::json;

namespace {
// The key the user is to publish now: the published one of a rotation, else the active RSA key.
const store::DkimKey* shown_key(const store::Domain& d) {
    const store::DkimKey* active = nullptr;
    for (const auto& k : d.dkim) {
        if (k.algorithm != "rsa") continue;
        if (k.state == "published") return &k;
        if (k.state == "active" && !active) active = &k;
    }
    return active;
}

const store::DnsRecordCheck* check_named(const store::Domain& d, const std::string& purpose) {
    for (const auto& c : d.checks)
        if (c.purpose == purpose) return &c;
    return nullptr;
}

// A host relative to the domain's top-level (main) domain, as the hosted service shows DkimRR:
// "mpr1._domainkey.mail" for mail.example.com.
std::string relative_host(const std::string& host, const std::string& domain) {
    const auto main = store::main_domain(domain);
    return host.size() > main.size() ? host.substr(0, host.size() - main.size() - 1) : host;
}
} // namespace

json domain_dkim_fields(const store::Domain& d) {
    json out = json::object();
    if (const auto* key = shown_key(d)) {
        const auto* check = check_named(d, store::dkim_purpose(key->selector));
        out["DkimPublicKey"] = store::dkim_txt(*key);
        out["DkimRR"] = relative_host(store::dkim_host(key->selector, d.name), d.name);
        out["DkimRsaLength"] = key->rsa_bits;
        out["DkimAuthStatus"] = check && check->status == "ok" ? "0" : "1";
    }
    if (const auto* dmarc = check_named(d, "dmarc")) {
        out["DmarcAuthStatus"] = dmarc->status == "ok" ? 0 : 1;
        out["DmarcHostRecord"] = relative_host(dmarc->host, d.name);
        out["DmarcRecord"] = dmarc->value;
        out["DnsDmarc"] = dmarc->found;
    }
    return out;
}

json change_domain_dkim_record(ActionContext& c) {
    const auto name = c.required("Domain");
    const auto bits = c.integer("DkimRsaLength", 0, 1024, 2048);
    if (bits != 0 && bits != 1024 && bits != 2048)
        throw ApiError{400, "InvalidParameter", "DkimRsaLength must be 1024 or 2048."};
    const auto wanted = common::to_lower(name);
    const auto domains = c.store.list_domains(c.account);
    const auto it = std::find_if(domains.begin(), domains.end(),
                                 [&](const store::Domain& d) { return d.name == wanted; });
    if (it == domains.end())
        throw ApiError{404, "InvalidDomain.NotFound", "The specified Domain does not exist."};
    try {
        c.store.rotate_dkim(it->name, static_cast<int>(bits));
    } catch (const store::StoreError& e) {
        if (e.kind() != store::ErrorKind::conflict) throw;
        throw ApiError{400, "InvalidParameter.DkimRotationPending", e.what()};
    }
    c.report("dkim_rotate", it->name);
    const auto d = c.store.get_domain(it->name);
    const auto* key = shown_key(d);
    return {{"Changed", true},
            {"DkimPublicKey", key ? store::dkim_txt(*key) : ""},
            {"DkimRsaLength", key ? key->rsa_bits : 0},
            {"Hostname", key ? relative_host(store::dkim_host(key->selector, d.name), d.name) : ""}};
}

} // namespace mailpush::openapi::detail
