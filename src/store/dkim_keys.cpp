#include "mailpush/store/dkim_keys.hpp"

#include "mailpush/dkim/dkim.hpp"

#include <algorithm>

namespace mailpush::store {

std::string dkim_selector(const std::string& algorithm, int generation) {
    return (algorithm == "ed25519" ? "mpe" : "mpr") + std::to_string(generation);
}

std::string dkim_host(const std::string& selector, const std::string& domain) {
    return selector + "._domainkey." + domain;
}

std::string dkim_txt(const DkimKey& key) {
    const auto algorithm =
        key.algorithm == "ed25519" ? dkim::Algorithm::ed25519_sha256 : dkim::Algorithm::rsa_sha256;
    return dkim::txt_record(algorithm, key.public_b64);
}

std::string dkim_purpose(const std::string& selector) {
    return "dkim:" + selector;
}

bool is_dkim_purpose(const std::string& purpose) {
    return purpose.starts_with("dkim:");
}

std::vector<DnsRecordCheck> dkim_records(const std::string& domain, const std::vector<DkimKey>& keys,
                                         std::int64_t now_s) {
    std::vector<DnsRecordCheck> out;
    for (const auto& k : keys) {
        if (k.state == "retired" && now_s - k.retired_s >= kDkimRetiredGraceSeconds) continue;
        out.push_back({dkim_purpose(k.selector), "TXT", dkim_host(k.selector, domain), dkim_txt(k),
                       "unchecked", "", ""});
    }
    return out;
}

DnsRecordCheck dmarc_record(const std::string& domain) {
    return {"dmarc",
            "TXT",
            "_dmarc." + domain,
            "v=DMARC1; p=none; adkim=r; aspf=r; rua=mailto:dmarc-reports@" + domain,
            "unchecked",
            "",
            ""};
}

namespace {
const DnsRecordCheck* check_for(const std::vector<DnsRecordCheck>& checks, const DkimKey& key) {
    const auto purpose = dkim_purpose(key.selector);
    const auto it = std::find_if(checks.begin(), checks.end(),
                                 [&](const DnsRecordCheck& c) { return c.purpose == purpose; });
    return it == checks.end() ? nullptr : &*it;
}
} // namespace

bool dkim_verified(const std::vector<DnsRecordCheck>& checks, const std::vector<DkimKey>& keys) {
    bool any = false;
    for (const auto& k : keys) {
        if (k.state != "active") continue;
        any = true;
        const auto* c = check_for(checks, k);
        if (!c || c->status != "ok") return false;
    }
    return any;
}

std::vector<DkimKey> activate_verified_keys(std::vector<DkimKey> keys,
                                            const std::vector<DnsRecordCheck>& checks, std::int64_t now_s) {
    for (auto& fresh : keys) {
        if (fresh.state != "published") continue;
        const auto* c = check_for(checks, fresh);
        if (!c || c->status != "ok") continue;
        for (auto& old : keys)
            if (old.state == "active" && old.algorithm == fresh.algorithm) {
                old.state = "retired";
                old.retired_s = now_s;
            }
        fresh.state = "active";
        fresh.activated_s = now_s;
    }
    return keys;
}

std::string rotation_refusal(const std::vector<DkimKey>& keys, const std::string& domain) {
    for (const auto& k : keys)
        if (k.state == "published")
            return "a DKIM rotation of " + domain + " is under way: publish " +
                   dkim_host(k.selector, domain) + " and verify the domain first";
    return "";
}

} // namespace mailpush::store
