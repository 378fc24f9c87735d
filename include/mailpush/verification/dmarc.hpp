// DMARC (RFC 7489): a `_dmarc` record's tags and whether SPF and DKIM align with the header
// From. Pure. Relaxed alignment compares organisational domains (store::main_domain: the last
// two labels, three under the common two-label public suffixes such as co.uk — not the whole
// Public Suffix List; docs/dkim.md).
#pragma once

#include "mailpush/store/store.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::verification {

struct DmarcPolicy {
    std::string policy;       // p=: none, quarantine, reject
    bool strict_dkim = false; // adkim=s
    bool strict_spf = false;  // aspf=s
    std::string rua;
};
// nullopt unless the record starts with v=DMARC1 and has a valid p=.
std::optional<DmarcPolicy> parse_dmarc(std::string_view txt);

// Identifier alignment (RFC 7489 §3.1): strict = the same domain, relaxed = the same
// organisational domain. Case-insensitive.
bool aligned(const std::string& identifier, const std::string& from_domain, bool strict);

struct DmarcReport {
    bool record = false;       // a valid DMARC record was found
    std::string policy;        // its p=, "" if none
    bool spf_aligned = false;  // SPF verified for an envelope domain that aligns with From
    bool dkim_aligned = false; // DKIM verified for a d= that aligns with From
    bool pass() const { return record && (spf_aligned || dkim_aligned); }
};

// `answers`: the TXT strings found at _dmarc.{from_domain} (the first valid DMARC record counts;
// none: defaults adkim=aspf=relaxed for the alignment report).
DmarcReport judge_dmarc(const std::vector<std::string>& answers, const std::string& from_domain,
                        const std::string& spf_domain, bool spf_ok, const std::string& dkim_domain,
                        bool dkim_ok);

// The report for mail from `domain`'s addresses as mailpush sends it: the header From, the
// envelope sender (MAIL FROM is the sender address) and d= are all at `domain`; SPF and DKIM
// count if their records verified at the last check, the DMARC record is what that check found.
DmarcReport domain_dmarc(const store::Domain& domain);

} // namespace mailpush::verification
