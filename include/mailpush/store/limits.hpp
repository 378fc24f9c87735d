// The account store's limits: the [accounts] keys, the [auth] password cost and the [server],
// [delivery] and [tracking] values the store needs (host name, private IP protection, quota time
// zone, the tracking record requirement and key retention).
// The store receives only this part of the configuration.
#pragma once

#include "mailpush/common/password_hash.hpp"
#include "mailpush/store/traffic.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace mailpush::store {

struct StoreLimits {
    unsigned max_domains = 5;
    unsigned max_addresses = 10;
    unsigned max_address_deletions_per_month = 4;
    std::int64_t daily_quota = 20'000;
    std::int64_t monthly_quota = 600'000;
    common::PasswordCost password_cost; // of new password hashes ([auth])
    unsigned max_ip_entries = 10;
    std::int64_t max_suppressions = 100'000;   // manual entries per account (unsubscribes always recorded)
    bool allow_private_ip_entries = false;     // loopback and RFC 1918 entries: for tests and labs only
    bool allow_private_notify_targets = false; // a webhook URL may name a non-global IP literal
    unsigned max_tags = 10;
    unsigned max_receiver_lists = 10;
    unsigned max_receivers_per_list = 10'000;
    unsigned max_templates = 40;
    std::size_t max_template_subject_chars = 100;
    std::size_t max_template_body_bytes = 28 * 1024;
    unsigned max_access_keys = 5;
    int utc_offset_minutes = 480;           // quota days and months (the hosted service: +08:00)
    std::string service_host = "localhost"; // the records domains must publish point here
    TrafficDefaults traffic;                // submission rate and fatigue limit (docs/accounts.md)
    // [tracking] (docs/tracking.md): tracking only from domains whose tracking record verified;
    // how long a rotated-out tracking key still verifies.
    bool tracking_requires_cname = true;
    std::chrono::seconds tracking_key_retention{400LL * 24 * 3600};
};

} // namespace mailpush::store
