// The [tracking] options (docs/tracking.md): where tracking links point, how hits are
// classified, batched and kept. Plain data made by the key table; each module that tracks gets
// the parts it needs from here (the store gets require_cname and key_retention through
// store::StoreLimits).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace mailpush::delivery {

enum class LinkHost {
    cname,     // http://dmtrace.{domain} of the sender's domain
    public_url // the server's public URL ([http] public_url or its default), as unsubscribe links
};

struct TrackingOptions {
    bool require_cname = true; // tracking only from domains whose tracking record verified
    LinkHost link_host = LinkHost::cname;
    std::chrono::milliseconds scanner_window{
        10'000};                                   // every link clicked this soon after delivery: a scanner
    std::chrono::milliseconds burst_window{2'000}; // hits this close together: one burst
    std::vector<std::string> prefetch_networks{"17.0.0.0/8"}; // CIDRs whose opens are prefetches (Apple MPP)
    std::chrono::seconds link_retention{365LL * 24 * 3600};   // stored links (and their hits) kept this long
    std::chrono::milliseconds flush_interval{200};            // recorded hits written at least this often
    std::size_t max_pending = 1'000'000;                   // hits held for the next flush; more are dropped
    std::chrono::seconds key_retention{400LL * 24 * 3600}; // a rotated-out key still verifies this long
};

} // namespace mailpush::delivery
