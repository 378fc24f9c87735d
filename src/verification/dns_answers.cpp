#include "mailpush/verification/dns_answers.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/dkim/dkim.hpp"
#include "mailpush/store/dkim_keys.hpp"

#include <algorithm>

namespace mailpush::verification {
using store::DnsRecordCheck;

namespace {
std::string without_trailing_dot(std::string s) {
    if (!s.empty() && s.back() == '.') s.pop_back();
    return common::to_lower(s);
}

bool matches(const DnsRecordCheck& r, const std::string& answer) {
    if (r.purpose == "ownership") return common::trim(answer) == r.value;
    if (store::is_dkim_purpose(r.purpose)) { // the same key (algorithm and p=), other tags free
        const auto want = dkim::parse_key_record(r.value);
        const auto got = dkim::parse_key_record(answer);
        return want && got && got->algorithm == want->algorithm && got->public_b64 == want->public_b64;
    }
    if (r.purpose == "dmarc") return common::to_lower(common::trim(answer)).starts_with("v=dmarc1");
    if (r.purpose == "spf") {
        const std::string a = common::to_lower(answer);
        // The include may sit among other mechanisms; it must be a whole term.
        const std::string include = common::to_lower(r.value.substr(r.value.find("include:")));
        const std::string term = include.substr(0, include.find(' '));
        if (!a.starts_with("v=spf1")) return false;
        std::size_t pos = 0;
        while ((pos = a.find(term, pos)) != std::string::npos) {
            const std::size_t end = pos + term.size();
            if (a[pos - 1] == ' ' && (end == a.size() || a[end] == ' ')) return true;
            pos = end;
        }
        return false;
    }
    return without_trailing_dot(answer) == without_trailing_dot(r.value);
}
} // namespace

void judge_record(DnsRecordCheck& record, dns::Outcome outcome, const std::vector<std::string>& answers) {
    record.found.clear();
    for (const auto& a : answers)
        record.found += (record.found.empty() ? "" : " | ") + a;
    switch (outcome) {
    case dns::Outcome::ok:
        record.status = std::any_of(answers.begin(), answers.end(),
                                    [&](const std::string& a) { return matches(record, a); })
                            ? "ok"
                            : "mismatch";
        break;
    case dns::Outcome::nxdomain:
    case dns::Outcome::nodata:
    case dns::Outcome::null_mx:
        record.status = "missing";
        break;
    case dns::Outcome::temporary:
        record.status = "error";
        break;
    }
}

} // namespace mailpush::verification
