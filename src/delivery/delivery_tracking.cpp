#include "mailpush/engine/delivery_tracking.hpp"

#include "mailpush/common/http_url.hpp"
#include "mailpush/common/metrics.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/smtp/command.hpp"
#include "mailpush/tracking/token.hpp"

#include <spdlog/spdlog.h>

namespace mailpush::delivery {

std::string tracking_base_url(LinkHost host, std::string_view sender, std::string_view public_url) {
    if (host == LinkHost::public_url) {
        while (public_url.ends_with('/'))
            public_url.remove_suffix(1);
        return std::string(public_url);
    }
    const auto domain = common::to_lower(smtp::split_address(sender).second);
    return domain.empty() ? std::string() : "http://dmtrace." + domain;
}

std::string link_host_of(std::string_view base_url) {
    const auto url = common::parse_http_url(base_url);
    return url ? common::to_lower(url->host) : std::string();
}

TrackedBodies::TrackedBodies(std::size_t max_entries, std::size_t max_bytes)
    : max_entries_(max_entries)
    , max_bytes_(max_bytes) {}

namespace {
void count_analysis(const tracking::TrackedMessage& m) {
    metrics::registry()
        .counter("mailpush_tracking_messages_total",
                 "Tracked messages analysed at delivery: rewritten, or sent as they were (not analysable)",
                 {{"result", m.tracked() ? "rewritten" : "untouched"}})
        .add();
}
} // namespace

std::shared_ptr<TrackedBodies::Entry> TrackedBodies::get(std::uint64_t envid, const std::string& body,
                                                         const tracking::TrackOptions& options,
                                                         const std::string& link_host) {
    {
        std::lock_guard lock(mutex_);
        if (const auto it = index_.find(envid); it != index_.end()) {
            lru_.splice(lru_.begin(), lru_, it->second);
            return it->second->second;
        }
    }
    // Analysed outside the lock: two recipients' jobs may both analyse a message the first time
    // (the same result), which is cheaper than making every other message wait.
    auto entry = std::make_shared<Entry>(tracking::TrackedMessage::analyse(body, options), link_host);
    count_analysis(entry->message);
    if (!entry->message.tracked())
        spdlog::warn("tracking.untouched envid={} reason=\"{}\"", envid, entry->message.reason());
    std::lock_guard lock(mutex_);
    if (const auto it = index_.find(envid); it != index_.end()) return it->second->second;
    lru_.emplace_front(envid, entry);
    index_[envid] = lru_.begin();
    bytes_ += entry->message.size();
    while (lru_.size() > 1 && (lru_.size() > max_entries_ || bytes_ > max_bytes_)) {
        bytes_ -= std::min(bytes_, lru_.back().second->message.size());
        index_.erase(lru_.back().first);
        lru_.pop_back();
    }
    return entry;
}

void TrackedBodies::forget(std::uint64_t envid) {
    std::lock_guard lock(mutex_);
    const auto it = index_.find(envid);
    if (it == index_.end()) return;
    bytes_ -= std::min(bytes_, it->second->second->message.size());
    lru_.erase(it->second);
    index_.erase(it);
}

std::size_t TrackedBodies::size() const {
    std::lock_guard lock(mutex_);
    return lru_.size();
}

std::shared_ptr<TrackedBodies::Entry> render_tracked(AttemptJob& job, std::string& body,
                                                     const TrackingLinks& links, TrackedBodies& bodies) {
    if (job.message.recipients.size() != 1 || job.rcpt_indices.size() != 1 || links.base_url.empty())
        return nullptr;
    const tracking::TrackOptions options{job.track_opens, job.track_links, links.keep_prefixes};
    auto entry = bodies.get(job.envid, body, options, link_host_of(links.base_url));
    if (!entry->message.tracked()) return nullptr;
    const tracking::TokenClaim base{job.envid, static_cast<std::uint32_t>(job.rcpt_indices.front()), 0};
    body = entry->message.render(links.base_url, [&](std::uint32_t link) {
        auto claim = base;
        claim.link = link;
        return tracking::make_token(links.key, claim);
    });
    job.tracked = true;
    return entry->links_stored.load() ? nullptr : entry;
}

} // namespace mailpush::delivery
