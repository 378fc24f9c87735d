// The DNS records a sending domain must publish, and when the checks recorded for them make the
// domain verified. Pure. How a lookup's answers are judged is mailpush/verification/dns_answers.hpp.
#pragma once

#include "mailpush/store/records.hpp"

#include <string>
#include <vector>

namespace mailpush::store {

// ownership TXT "aliyundm.{domain}" = token; SPF TXT on the domain with
// "include:spf.{service_host}"; MX on the domain -> service_host; tracking CNAME
// "dmtrace.{domain}" -> "tracedm.{service_host}". Statuses "unchecked".
std::vector<DnsRecordCheck> required_records(const std::string& domain, const std::string& token,
                                             const std::string& service_host);

// Verified means the ownership TXT and the SPF record are in place (MX and tracking advisory).
bool domain_verified(const std::vector<DnsRecordCheck>& checks);

} // namespace mailpush::store
