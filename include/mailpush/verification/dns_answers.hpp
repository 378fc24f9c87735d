// How the answers of a DNS lookup are judged against a record a sending domain must publish.
// Pure: the lookups run elsewhere (c-ares on the event loop, src/api/dns_check.cpp).
#pragma once

#include "mailpush/dns/answers.hpp"
#include "mailpush/store/records.hpp"

#include <string>
#include <vector>

namespace mailpush::verification {

// Fills status and found from a lookup's outcome and answers (TXT strings, MX hosts or the
// CNAME target). `checked_at` is stamped by the caller.
void judge_record(store::DnsRecordCheck& record, dns::Outcome outcome,
                  const std::vector<std::string>& answers);

} // namespace mailpush::verification
