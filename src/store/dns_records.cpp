#include "mailpush/store/dns_records.hpp"

#include <algorithm>

namespace mailpush::store {

std::vector<DnsRecordCheck> required_records(const std::string& domain, const std::string& token,
                                             const std::string& service_host) {
    return {
        {"ownership", "TXT", "aliyundm." + domain, token, "unchecked", "", ""},
        {"spf", "TXT", domain, "v=spf1 include:spf." + service_host + " -all", "unchecked", "", ""},
        {"mx", "MX", domain, service_host, "unchecked", "", ""},
        {"tracking", "CNAME", "dmtrace." + domain, "tracedm." + service_host, "unchecked", "", ""},
    };
}

bool domain_verified(const std::vector<DnsRecordCheck>& checks) {
    auto ok = [&](const char* purpose) {
        return std::any_of(checks.begin(), checks.end(),
                           [&](const DnsRecordCheck& c) { return c.purpose == purpose && c.status == "ok"; });
    };
    return ok("ownership") && ok("spf");
}

} // namespace mailpush::store
