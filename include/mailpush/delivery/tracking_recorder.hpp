// Open and click hits, answered at once by the endpoints and recorded here in batches
// (docs/tracking.md): record() only queues; a thread of its own flushes the queue every
// flush_interval in ONE transaction on a write connection of its own (classify each hit, insert
// it into track_hits and its Open/Click event into the delivery log's events). Link targets are
// read through a second connection behind an LRU cache. Open it after the DeliveryLog, which
// creates the tables. Thread-safe. Handles untrusted input: the user agent and client IP of a
// hit (stored as given, the agent cut to 512 bytes); the claim comes from a verified token.
#pragma once

#include "mailpush/common/metrics.hpp"
#include "mailpush/tracking/classify.hpp"
#include "mailpush/tracking/token.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

struct sqlite3;

namespace mailpush::delivery {

struct TrackingRecorderOptions {
    std::chrono::milliseconds flush_interval{200};
    std::size_t max_pending = 1'000'000; // hits queued; more are dropped (and counted)
    std::string region;                  // the events' region key
    int utc_offset_minutes = 480;        // the events' operate_time
    std::size_t link_cache = 100'000;    // (message, link) → URL entries kept in memory
    std::chrono::milliseconds link_retention = std::chrono::hours(24 * 365); // links and hits kept
};

struct Hit {
    tracking::TokenClaim claim;
    tracking::HitKind kind = tracking::HitKind::open;
    std::string user_agent, client_ip;
    std::int64_t at_ms = 0;
};

using HitClassifier = std::function<tracking::HitClass(const tracking::HitFacts&)>;

class TrackingRecorder {
public:
    TrackingRecorder(const std::string& delivery_db_path, TrackingRecorderOptions options,
                     HitClassifier classify);
    ~TrackingRecorder(); // stop()
    TrackingRecorder(const TrackingRecorder&) = delete;
    TrackingRecorder& operator=(const TrackingRecorder&) = delete;

    // Where link `link` (1..n) of message `envid` leads, and the host its links were mailed on
    // ("" for links stored without one); nullopt = unknown (never stored, or pruned). From the
    // cache, else one read.
    struct LinkTarget {
        std::string url, host;
    };
    std::optional<LinkTarget> link_target(std::uint64_t envid, std::uint32_t link);
    std::optional<std::string> link_url(std::uint64_t envid, std::uint32_t link); // its url
    // The same if it is in the cache; nullopt when it is not, or when a read holds the cache
    // right now (then link_target() answers). Never waits for SQLite.
    std::optional<LinkTarget> cached_link_target(std::uint64_t envid, std::uint32_t link);
    // Queues a hit; never waits for SQLite. false: the queue holds max_pending hits, the hit is
    // dropped (mailpush_tracking_dropped_total).
    bool record(Hit hit);
    // The flushing thread: a flush every flush_interval, and links and hits older than
    // link_retention pruned once an hour. stop() joins it after a last flush; both idempotent.
    void start();
    void stop();

    // Writes what is queued now, in one transaction, on the caller's thread (the flushing
    // thread calls it; tests too). A hit whose message is not tracked, whose recipient has no
    // report row (unknown, or pruned) or whose link is unknown is left out. Returns the hits
    // written. If the transaction fails, the hits go back to the queue (as far as it has room).
    std::size_t flush();
    // Forgets tracked messages whose links were stored before now_ms - link_retention (their
    // links and hits). Returns how many messages.
    std::size_t prune(std::int64_t now_ms);

    std::size_t pending() const;
    std::uint64_t transactions() const; // flushes committed so far (for tests)

private:
    struct Recipient;
    struct Batch;
    using RecipientKey = std::pair<std::uint64_t, std::uint32_t>; // (envid, recipient index)
    using LinkKey = std::pair<std::uint64_t, std::uint32_t>;      // (envid, link)
    using Clicks = std::vector<std::pair<std::int64_t, std::uint32_t>>;

    void run();
    void requeue(std::vector<Hit> hits);
    void write(Batch& b, const Hit& h);
    std::optional<std::size_t> links_in(Batch& b, std::uint64_t envid);
    const Recipient* recipient(Batch& b, const RecipientKey& key);
    Clicks& clicks_of(Batch& b, const RecipientKey& key);
    void remember_clicks(std::map<RecipientKey, Clicks>&& touched);

    TrackingRecorderOptions options_;
    HitClassifier classify_;
    sqlite3* write_db_ = nullptr;
    sqlite3* read_db_ = nullptr;

    mutable std::mutex queue_mutex_;
    std::vector<Hit> queue_;
    std::shared_ptr<std::atomic<std::size_t>> queued_; // the pending gauge reads it
    metrics::Counter& dropped_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;

    std::mutex flush_mutex_; // one flush (or prune) at a time on the write connection
    std::atomic<std::uint64_t> transactions_{0};
    // Each recipient's clicks so far (for the classifier), bounded: the oldest recipient goes first.
    std::map<RecipientKey, Clicks> clicks_;
    std::list<RecipientKey> clicks_order_;

    std::mutex read_mutex_; // the read connection and the cache
    std::list<std::pair<LinkKey, LinkTarget>> lru_;
    std::map<LinkKey, std::list<std::pair<LinkKey, LinkTarget>>::iterator> lru_index_;
};

} // namespace mailpush::delivery
