#include "mailpush/verification/dmarc.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/store/dkim_keys.hpp"

#include <algorithm>

namespace mailpush::verification {

std::optional<DmarcPolicy> parse_dmarc(std::string_view txt) {
    std::vector<std::pair<std::string, std::string>> tags;
    for (const auto& part : common::split_list(txt, ';')) {
        const auto eq = part.find('=');
        if (eq == std::string::npos) continue;
        tags.emplace_back(common::to_lower(common::trim(std::string_view(part).substr(0, eq))),
                          std::string(common::trim(std::string_view(part).substr(eq + 1))));
    }
    if (tags.empty() || tags[0].first != "v" || tags[0].second != "DMARC1") return std::nullopt;
    DmarcPolicy p;
    for (const auto& [k, v] : tags) {
        const auto lv = common::to_lower(v);
        if (k == "p") p.policy = lv;
        if (k == "adkim") p.strict_dkim = lv == "s";
        if (k == "aspf") p.strict_spf = lv == "s";
        if (k == "rua") p.rua = v;
    }
    if (p.policy != "none" && p.policy != "quarantine" && p.policy != "reject") return std::nullopt;
    return p;
}

bool aligned(const std::string& identifier, const std::string& from_domain, bool strict) {
    const auto a = common::to_lower(identifier);
    const auto b = common::to_lower(from_domain);
    if (a.empty() || b.empty()) return false;
    return strict ? a == b : store::main_domain(a) == store::main_domain(b);
}

DmarcReport judge_dmarc(const std::vector<std::string>& answers, const std::string& from_domain,
                        const std::string& spf_domain, bool spf_ok, const std::string& dkim_domain,
                        bool dkim_ok) {
    DmarcReport r;
    DmarcPolicy policy; // the defaults (relaxed) when there is no record
    for (const auto& a : answers)
        if (auto p = parse_dmarc(a)) {
            policy = *p;
            r.record = true;
            r.policy = p->policy;
            break;
        }
    r.spf_aligned = spf_ok && aligned(spf_domain, from_domain, policy.strict_spf);
    r.dkim_aligned = dkim_ok && aligned(dkim_domain, from_domain, policy.strict_dkim);
    return r;
}

DmarcReport domain_dmarc(const store::Domain& domain) {
    std::vector<std::string> answers;
    bool spf_ok = false;
    for (const auto& c : domain.checks) {
        if (c.purpose == "dmarc" && c.status == "ok") {
            std::string_view rest = c.found; // judge_record joins the answers with " | "
            while (!rest.empty()) {
                const auto bar = rest.find(" | ");
                answers.emplace_back(rest.substr(0, bar));
                rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 3);
            }
        }
        if (c.purpose == "spf") spf_ok = c.status == "ok";
    }
    const bool dkim_ok = store::dkim_verified(domain.checks, domain.dkim);
    return judge_dmarc(answers, domain.name, domain.name, spf_ok, domain.name, dkim_ok);
}

} // namespace mailpush::verification
