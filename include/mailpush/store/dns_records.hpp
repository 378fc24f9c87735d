// The DNS records a sending domain must publish (SPEC §6), and how a lookup result is judged.
// Pure: the lookups themselves run elsewhere (c-ares on the event loop).
#pragma once

#include "mailpush/dns/answers.hpp"
#include "mailpush/store/records.hpp"

#include <string>
#include <vector>

namespace mailpush::store {

// ownership TXT "aliyundm.{domain}" = token; SPF TXT on the domain with
// "include:spf.{service_host}"; MX on the domain -> service_host; tracking CNAME
// "dmtrace.{domain}" -> "tracedm.{service_host}". Statuses "unchecked".
std::vector<DnsRecordCheck> required_records(const std::string& domain, const std::string& token,
                                             const std::string& service_host);

// Fills status and found from a lookup's outcome and answers (TXT strings, MX hosts or the
// CNAME target). `checked_at` is stamped by the caller.
void judge_record(DnsRecordCheck& record, dns::Outcome outcome, const std::vector<std::string>& answers);

// Verified means the ownership TXT and the SPF record are in place (MX and tracking advisory).
bool domain_verified(const std::vector<DnsRecordCheck>& checks);

} // namespace mailpush::store
