// Tracking hits in batches: the queue, the flushing thread, and the one transaction per flush
// that classifies each hit and writes it with its Open/Click event (docs/tracking.md).
#include "mailpush/delivery/tracking_recorder.hpp"

#include "mailpush/common/calendar.hpp"
#include "mailpush/common/metrics.hpp"
#include "mailpush/delivery/event_format.hpp"
#include "mailpush/sqlite/sqlite.hpp"

#include <algorithm>
#include <iterator>
#include <stdexcept>

namespace mailpush::delivery {
using sqlite::Statement;
using tracking::HitKind;

namespace {
constexpr std::size_t kUserAgentMax = 512;
constexpr std::size_t kClientIpMax = 64;               // the longest textual IPv6 address is 45 bytes
constexpr std::size_t kClicksPerRecipient = 64;        // the classifier looks at recent clicks only
constexpr std::size_t kRecipientsRemembered = 100'000; // recipients whose clicks stay in memory
constexpr auto kFirstPrune = std::chrono::minutes(1);
constexpr auto kPruneEvery = std::chrono::hours(1);

// At most kUserAgentMax bytes, not cut inside a UTF-8 sequence.
std::string stored_agent(std::string agent) {
    if (agent.size() <= kUserAgentMax) return agent;
    std::size_t n = kUserAgentMax;
    while (n > 0 && (static_cast<unsigned char>(agent[n]) & 0xC0) == 0x80)
        --n;
    agent.resize(n);
    return agent;
}

std::string_view kind_name(HitKind k) {
    return k == HitKind::click ? "click" : "open";
}

metrics::Counter& dropped_counter() {
    return metrics::registry().counter("mailpush_tracking_dropped_total",
                                       "Tracking hits dropped because the recording queue was full");
}
} // namespace

struct TrackingRecorder::Recipient {
    std::string from, rcpt;
    std::int64_t delivered_ms = 0;
};

// One flush: its statements (prepared once) and what it has looked up so far.
struct TrackingRecorder::Batch {
    explicit Batch(sqlite3* db)
        : tracked(db, "SELECT links FROM tracked WHERE envid=?")
        , report(db, "SELECT mail_from, rcpt, ended_ms FROM reports WHERE envid=? AND idx=?")
        , link(db, "SELECT url FROM tracked_links WHERE envid=? AND link=?")
        , clicks(db, "SELECT at_ms, link FROM track_hits WHERE envid=? AND idx=? AND kind='click' "
                     "ORDER BY at_ms DESC, id DESC LIMIT 64")
        , hit(db, "INSERT INTO track_hits(envid, idx, kind, link, at_ms, class, machine, user_agent, "
                  "client_ip) VALUES(?,?,?,?,?,?,?,?,?)")
        , event(db, "INSERT INTO events(envid, idx, text) VALUES(?,?,?)") {}

    Statement tracked, report, link, clicks, hit, event;
    std::map<std::uint64_t, std::optional<std::size_t>> links_in; // per message; nullopt: not tracked
    std::map<RecipientKey, std::optional<Recipient>> recipients;  // nullopt: no report row
    std::map<RecipientKey, Clicks> touched;                       // clicks as of this hit
    std::map<std::pair<HitKind, tracking::HitClass>, std::uint64_t> counted;
    std::size_t written = 0;
};

TrackingRecorder::TrackingRecorder(const std::string& path, TrackingRecorderOptions options,
                                   HitClassifier classify)
    : options_(std::move(options))
    , classify_(std::move(classify))
    , queued_(std::make_shared<std::atomic<std::size_t>>(0))
    , dropped_(dropped_counter()) {
    constexpr auto what = "the delivery log for tracking";
    write_db_ = sqlite::open_database(path, sqlite::Access::read_write, what);
    try {
        read_db_ = sqlite::open_database(path, sqlite::Access::read_only, what);
    } catch (...) {
        sqlite3_close(read_db_);
        sqlite3_close(write_db_);
        throw;
    }
    // The gauge holds the counter, not the recorder: a scrape after the recorder is gone is safe.
    metrics::registry().gauge("mailpush_tracking_pending", "Tracking hits waiting to be recorded",
                              [q = queued_] { return static_cast<double>(q->load()); });
}

TrackingRecorder::~TrackingRecorder() {
    stop();
    sqlite3_close(read_db_);
    sqlite3_close(write_db_);
}

bool TrackingRecorder::record(Hit hit) {
    // Cut before queuing: a million hits with 8 KB agents would otherwise be 8 GB held.
    hit.user_agent = stored_agent(std::move(hit.user_agent));
    if (hit.client_ip.size() > kClientIpMax) hit.client_ip.resize(kClientIpMax);
    {
        std::lock_guard lock(queue_mutex_);
        if (queue_.size() < options_.max_pending) {
            queue_.push_back(std::move(hit));
            queued_->store(queue_.size());
            return true;
        }
    }
    dropped_.add();
    return false;
}

std::size_t TrackingRecorder::pending() const {
    std::lock_guard lock(queue_mutex_);
    return queue_.size();
}

std::uint64_t TrackingRecorder::transactions() const {
    return transactions_.load();
}

void TrackingRecorder::start() {
    std::lock_guard lock(queue_mutex_);
    if (thread_.joinable() || stopping_) return;
    thread_ = std::thread([this] { run(); });
}

void TrackingRecorder::stop() {
    {
        std::lock_guard lock(queue_mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    flush(); // what arrived last
}

void TrackingRecorder::run() {
    auto next_prune = std::chrono::steady_clock::now() + kFirstPrune;
    std::unique_lock lock(queue_mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, options_.flush_interval, [this] { return stopping_; });
        lock.unlock();
        flush();
        if (std::chrono::steady_clock::now() >= next_prune) {
            next_prune += kPruneEvery;
            try {
                prune(common::unix_ms_now());
            } catch (const std::exception&) {
                // Retried at the next hour; the rows only stay longer.
            }
        }
        lock.lock();
    }
}

std::size_t TrackingRecorder::flush() {
    std::lock_guard flushing(flush_mutex_);
    std::vector<Hit> hits;
    {
        std::lock_guard lock(queue_mutex_);
        hits.swap(queue_);
        queued_->store(0);
    }
    if (hits.empty()) return 0;
    std::optional<Batch> batch;
    try {
        batch.emplace(write_db_);
        sqlite::write_transaction(write_db_, [&] {
            for (const auto& h : hits)
                write(*batch, h);
        });
    } catch (const std::exception&) {
        requeue(std::move(hits));
        return 0;
    }
    ++transactions_;
    remember_clicks(std::move(batch->touched));
    for (const auto& [what, n] : batch->counted)
        metrics::registry()
            .counter("mailpush_tracking_hits_total", "Tracking hits recorded, by kind and class",
                     {{"kind", std::string(kind_name(what.first))},
                      {"class", std::string(tracking::class_name(what.second))}})
            .add(n);
    return batch->written;
}

void TrackingRecorder::requeue(std::vector<Hit> hits) {
    std::lock_guard lock(queue_mutex_);
    const auto room = options_.max_pending > queue_.size() ? options_.max_pending - queue_.size() : 0;
    const auto kept = std::min(room, hits.size());
    queue_.insert(queue_.begin(), std::make_move_iterator(hits.begin()),
                  std::make_move_iterator(hits.begin() + static_cast<std::ptrdiff_t>(kept)));
    queued_->store(queue_.size());
    if (kept < hits.size()) dropped_.add(hits.size() - kept);
}

// Inside the flush's transaction. A hit that names no tracked message, no recipient with a report
// row or (a click) no stored link writes nothing.
void TrackingRecorder::write(Batch& b, const Hit& h) {
    const RecipientKey key{h.claim.envid, h.claim.rcpt_idx};
    const auto links = links_in(b, h.claim.envid);
    if (!links) return;
    const auto* rcpt = recipient(b, key);
    if (!rcpt) return;
    const bool click = h.kind == HitKind::click;
    const std::uint32_t link = click ? h.claim.link : 0;
    std::string url;
    if (click) {
        b.link.reset().bind(1, static_cast<std::int64_t>(key.first)).bind(2, std::int64_t{link});
        if (!b.link.step()) return;
        url = b.link.text(0);
    }
    Clicks& clicks = clicks_of(b, key);
    const auto cls =
        classify_({h.kind, h.user_agent, h.client_ip, h.at_ms, rcpt->delivered_ms, clicks, *links});
    const auto name = std::string(tracking::class_name(cls));
    b.hit.reset().bind(1, static_cast<std::int64_t>(key.first)).bind(2, std::int64_t{key.second});
    b.hit.bind(3, std::string(kind_name(h.kind))).bind(4, std::int64_t{link}).bind(5, h.at_ms);
    b.hit.bind(6, name).bind(7, std::int64_t{tracking::counts_as_machine(cls) ? 1 : 0});
    b.hit.bind(8, h.user_agent).bind(9, h.client_ip); // cut by record()
    b.hit.step();
    const TrackingEvent event{click ? "Click" : "Open",
                              options_.region,
                              key.first,
                              rcpt->from,
                              rcpt->rcpt,
                              SystemTime{std::chrono::milliseconds{h.at_ms}},
                              url};
    b.event.reset().bind(1, static_cast<std::int64_t>(key.first)).bind(2, std::int64_t{key.second});
    b.event.bind(3, format_tracking_event(event, options_.utc_offset_minutes * 60, name));
    b.event.step();
    if (click) {
        clicks.emplace_back(h.at_ms, link);
        if (clicks.size() > kClicksPerRecipient) clicks.erase(clicks.begin());
    }
    ++b.counted[{h.kind, cls}];
    ++b.written;
}

std::optional<std::size_t> TrackingRecorder::links_in(Batch& b, std::uint64_t envid) {
    const auto [it, fresh] = b.links_in.try_emplace(envid);
    if (fresh) {
        b.tracked.reset().bind(1, static_cast<std::int64_t>(envid));
        if (b.tracked.step()) it->second = static_cast<std::size_t>(b.tracked.integer(0));
    }
    return it->second;
}

const TrackingRecorder::Recipient* TrackingRecorder::recipient(Batch& b, const RecipientKey& key) {
    const auto [it, fresh] = b.recipients.try_emplace(key);
    if (fresh) {
        b.report.reset().bind(1, static_cast<std::int64_t>(key.first)).bind(2, std::int64_t{key.second});
        if (b.report.step()) it->second = Recipient{b.report.text(0), b.report.text(1), b.report.integer(2)};
    }
    return it->second ? &*it->second : nullptr;
}

// The recipient's clicks before this hit: from this flush, else from memory, else from the table.
TrackingRecorder::Clicks& TrackingRecorder::clicks_of(Batch& b, const RecipientKey& key) {
    const auto [it, fresh] = b.touched.try_emplace(key);
    if (!fresh) return it->second;
    if (const auto known = clicks_.find(key); known != clicks_.end()) {
        it->second = known->second;
        return it->second;
    }
    b.clicks.reset().bind(1, static_cast<std::int64_t>(key.first)).bind(2, std::int64_t{key.second});
    while (b.clicks.step())
        it->second.emplace_back(b.clicks.integer(0), static_cast<std::uint32_t>(b.clicks.integer(1)));
    std::reverse(it->second.begin(), it->second.end()); // oldest first
    return it->second;
}

// After a commit only: a rolled-back flush must not leave clicks that were never written.
void TrackingRecorder::remember_clicks(std::map<RecipientKey, Clicks>&& touched) {
    for (auto& [key, clicks] : touched) {
        if (clicks.empty()) continue;
        const auto [it, fresh] = clicks_.insert_or_assign(key, std::move(clicks));
        if (fresh) clicks_order_.push_back(key);
    }
    while (clicks_.size() > kRecipientsRemembered) {
        clicks_.erase(clicks_order_.front());
        clicks_order_.pop_front();
    }
}

std::optional<std::string> TrackingRecorder::link_url(std::uint64_t envid, std::uint32_t link) {
    auto target = link_target(envid, link);
    return target ? std::optional(std::move(target->url)) : std::nullopt;
}

std::optional<TrackingRecorder::LinkTarget> TrackingRecorder::link_target(std::uint64_t envid,
                                                                          std::uint32_t link) {
    if (link == 0) return std::nullopt; // the open pixel has no target
    const LinkKey key{envid, link};
    std::lock_guard lock(read_mutex_);
    if (const auto it = lru_index_.find(key); it != lru_index_.end()) {
        lru_.splice(lru_.begin(), lru_, it->second); // most recently used first
        return it->second->second;
    }
    Statement st(read_db_, "SELECT l.url, t.host FROM tracked_links l JOIN tracked t ON t.envid = l.envid "
                           "WHERE l.envid=? AND l.link=?");
    st.bind(1, static_cast<std::int64_t>(envid)).bind(2, std::int64_t{link});
    if (!st.step()) return std::nullopt; // unknown ones are not cached: nothing to evict them for
    LinkTarget url{st.text(0), st.text(1)};
    if (options_.link_cache == 0) return url;
    lru_.emplace_front(key, url);
    lru_index_[key] = lru_.begin();
    if (lru_.size() > options_.link_cache) {
        lru_index_.erase(lru_.back().first);
        lru_.pop_back();
    }
    return url;
}

std::optional<TrackingRecorder::LinkTarget> TrackingRecorder::cached_link_target(std::uint64_t envid,
                                                                                 std::uint32_t link) {
    std::unique_lock lock(read_mutex_, std::try_to_lock);
    if (!lock.owns_lock()) return std::nullopt;
    const auto it = lru_index_.find(LinkKey{envid, link});
    if (it == lru_index_.end()) return std::nullopt;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->second;
}

std::size_t TrackingRecorder::prune(std::int64_t now_ms) {
    std::lock_guard flushing(flush_mutex_);
    const std::int64_t cutoff = now_ms - options_.link_retention.count();
    std::size_t forgotten = 0;
    sqlite::write_transaction(write_db_, [&] {
        sqlite::exec(write_db_, "CREATE TEMP TABLE IF NOT EXISTS prune_tracked (envid INTEGER PRIMARY KEY)");
        sqlite::exec(write_db_, "DELETE FROM prune_tracked");
        Statement pick(write_db_, "INSERT INTO prune_tracked SELECT envid FROM tracked WHERE stored_ms < ?");
        pick.bind(1, cutoff);
        pick.step();
        forgotten = static_cast<std::size_t>(sqlite3_changes(write_db_));
        for (const char* sql : {"DELETE FROM track_hits WHERE envid IN (SELECT envid FROM prune_tracked)",
                                "DELETE FROM tracked_links WHERE envid IN (SELECT envid FROM prune_tracked)",
                                "DELETE FROM tracked WHERE envid IN (SELECT envid FROM prune_tracked)"})
            sqlite::exec(write_db_, sql);
    });
    if (forgotten > 0) {
        std::lock_guard lock(read_mutex_);
        lru_.clear(); // a pruned link must not be served from memory
        lru_index_.clear();
    }
    return forgotten;
}

} // namespace mailpush::delivery
