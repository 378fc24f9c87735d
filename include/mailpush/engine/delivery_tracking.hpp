// Open and click tracking at delivery (docs/tracking.md): a tracked message is analysed once
// (TrackedBodies keeps the analysis per envid), its links are stored before the first copy goes
// out, and each recipient's copy is rendered with tokens of its own, before the unsubscribe
// headers and DKIM (which then sign what that recipient gets).
#pragma once

#include "mailpush/delivery/attempt_job.hpp"
#include "mailpush/delivery/tracking_options.hpp"
#include "mailpush/engine/ports.hpp"
#include "mailpush/tracking/rewrite.hpp"

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mailpush::delivery {

// Where a sender's tracking links point: http://dmtrace.{domain of the sender} (the record the
// domain published), or the server's public URL. "" when there is none to use (no domain, no
// public URL yet).
std::string tracking_base_url(LinkHost host, std::string_view sender, std::string_view public_url);

// The host of a base URL as a request's Host names it: lower case, no port, no IPv6 brackets.
// "" when `base_url` is not an http(s) URL.
std::string link_host_of(std::string_view base_url);

// The analysis of each tracked message, shared by its recipients' jobs (on the blocking pool).
// Bounded by entries and by the bytes of the messages kept; least recently used goes first.
class TrackedBodies {
public:
    TrackedBodies(std::size_t max_entries, std::size_t max_bytes);

    struct Entry {
        Entry(tracking::TrackedMessage m, std::string host)
            : message(std::move(m))
            , link_host(std::move(host)) {}
        const tracking::TrackedMessage message;
        const std::string link_host;           // where its links point (lower case, no port)
        std::atomic<bool> links_stored{false}; // its links are in the delivery log
    };
    // The analysis of `envid`'s `body` with `options`, made now if not kept; its links point
    // at `link_host`.
    std::shared_ptr<Entry> get(std::uint64_t envid, const std::string& body,
                               const tracking::TrackOptions& options, const std::string& link_host = "");
    void forget(std::uint64_t envid);
    std::size_t size() const;

private:
    const std::size_t max_entries_, max_bytes_;
    mutable std::mutex mutex_;
    std::size_t bytes_ = 0;
    std::list<std::pair<std::uint64_t, std::shared_ptr<Entry>>> lru_; // most recently used first
    std::unordered_map<std::uint64_t, decltype(lru_)::iterator> index_;
};

// The job's one recipient's copy of `body` (the message as delivered, before the unsubscribe
// headers and DKIM): its pixel and links pointing at `links`, job.tracked set. The message as
// it was when tracking does not apply (no recipient, not analysable: the reason is logged once
// per message). Returns the entry whose links must be stored before the copy is sent, or
// nullptr when they already are (or nothing was rewritten).
std::shared_ptr<TrackedBodies::Entry> render_tracked(AttemptJob& job, std::string& body,
                                                     const TrackingLinks& links, TrackedBodies& bodies);

} // namespace mailpush::delivery
