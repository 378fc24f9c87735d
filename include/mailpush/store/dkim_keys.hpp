// A sending domain's DKIM keys (RFC 6376, RFC 8463) as the store keeps them, the DNS records
// they need, and the rotation decisions. Pure: the store's SQL is src/store/store_dkim.cpp.
//
// Selectors: "mpr{n}" for the RSA key and "mpe{n}" for the Ed25519 key of generation n (1 at
// `domain add`, +1 per rotation). States: "published" (in the records, not used yet), "active"
// (signing), "retired" (no longer signing; its record stays among the domain's records for
// kDkimRetiredGraceSeconds so that mail signed before the switch still verifies, then it
// leaves them).
#pragma once

#include "mailpush/store/records.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace mailpush::store {

inline constexpr std::int64_t kDkimRetiredGraceSeconds = 7 * 24 * 3600;

struct DkimKey {
    std::string selector;
    std::string algorithm; // "rsa" or "ed25519"
    int rsa_bits = 0;      // 1024 or 2048; 0 for Ed25519
    int generation = 1;
    std::string public_b64; // the p= value
    std::string state;      // "published", "active", "retired"
    std::int64_t created_s = 0;
    std::int64_t activated_s = 0; // 0: never
    std::int64_t retired_s = 0;   // 0: not retired
};

// "mpr3" / "mpe3".
std::string dkim_selector(const std::string& algorithm, int generation);
// "{selector}._domainkey.{domain}"
std::string dkim_host(const std::string& selector, const std::string& domain);
// "v=DKIM1; k=rsa; p=…"
std::string dkim_txt(const DkimKey& key);
// The check purpose of a key's record: "dkim:{selector}".
std::string dkim_purpose(const std::string& selector);
bool is_dkim_purpose(const std::string& purpose);

// The DKIM TXT records to publish at `now_s`: every published and active key, and retired keys
// for kDkimRetiredGraceSeconds after they were retired. Status "unchecked".
std::vector<DnsRecordCheck> dkim_records(const std::string& domain, const std::vector<DkimKey>& keys,
                                         std::int64_t now_s);

// The recommended DMARC record: TXT "_dmarc.{domain}" =
// "v=DMARC1; p=none; adkim=r; aspf=r; rua=mailto:dmarc-reports@{domain}". Status "unchecked".
DnsRecordCheck dmarc_record(const std::string& domain);

// True if every active key's record was found as published (and there is an active key).
bool dkim_verified(const std::vector<DnsRecordCheck>& checks, const std::vector<DkimKey>& keys);

// After a check: each published key whose record was found ("ok") becomes active, and the keys
// of its algorithm that were active are retired at `now_s`. Returns the keys with their new
// states (the input unchanged if nothing verified).
std::vector<DkimKey> activate_verified_keys(std::vector<DkimKey> keys,
                                            const std::vector<DnsRecordCheck>& checks, std::int64_t now_s);

// A rotation may start only when no key waits for its record (a published one): the message
// to refuse it with, or "" if it may.
std::string rotation_refusal(const std::vector<DkimKey>& keys, const std::string& domain);

} // namespace mailpush::store
