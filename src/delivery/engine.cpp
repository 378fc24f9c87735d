// The engine's shell: the Scheduler and the outcome function decide, this file does the I/O.
// The scheduler state lives on one strand (callbacks, not coroutines); spool and SQLite work
// goes to the blocking pool, the delivery log through a second strand that serialises it;
// attempts go to the transport (network attempts are coroutines on their own strands).
// Order for every result: record durably (delivery log) -> remove the spool file when every
// recipient is final. A crash in between repeats at most the in-flight attempt.
#include "mailpush/delivery/engine.hpp"

#include "engine_backends.hpp"
#include "network_transport.hpp"

#include "mailpush/common/calendar.hpp"
#include "mailpush/common/metrics.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/delivery/event_format.hpp"
#include "mailpush/delivery/outcome.hpp"
#include "mailpush/delivery/scheduler.hpp"
#include "mailpush/delivery/unsubscribe_headers.hpp"
#include "mailpush/engine/delivery_signing.hpp"
#include "mailpush/engine/delivery_tracking.hpp"
#include "mailpush/smtp/command.hpp"
#include "mailpush/smtp/message_headers.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>

namespace mailpush::delivery {
namespace asio = boost::asio;

namespace {
constexpr std::size_t kRecoveryBatch = 1000; // messages per read of the delivery log at start-up
// `mailpush_delivery_results_total{state,failed_type}` and the attempt latency histogram.
void count_delivery_result(const char* state, const std::string& failed_type, std::int64_t took_ms) {
    auto& r = metrics::registry();
    r.counter("mailpush_delivery_results_total", "Delivery attempt results per recipient",
              {{"state", state}, {"failed_type", failed_type}})
        .add();
    static auto& latency = r.histogram("mailpush_delivery_attempt_seconds", "Duration of delivery attempts");
    latency.observe(static_cast<double>(took_ms) / 1000.0);
}

// `mailpush_destination_slowdowns_total{destination}`, and how many destinations are slowed now.
std::atomic<int> g_throttled{0};
void count_slowdown(const std::string& destination) {
    static const bool registered = [] {
        metrics::registry().gauge("mailpush_destinations_throttled",
                                  "Destinations slowed down after a rate-limit reply, now",
                                  [] { return static_cast<double>(g_throttled.load()); });
        return true;
    }();
    (void)registered;
    metrics::registry()
        .counter("mailpush_destination_slowdowns_total",
                 "Slow-downs of a destination after a rate-limit reply", {{"destination", destination}})
        .add();
}

// What an attempt's replies say about its destination: a rate-limit reply (SmtpMfFreq) slows it
// down, a delivery counts toward its recovery.
AttemptSignal signal_of(const std::vector<Classification>& outcomes) {
    bool delivered = false;
    for (const auto& o : outcomes) {
        if (o.failed_type == "SmtpMfFreq") return AttemptSignal::rate_limited;
        delivered = delivered || o.status == Status::success;
    }
    return delivered ? AttemptSignal::delivered : AttemptSignal::other;
}

// "mx1.example.com[192.0.2.1]:25" -> "mx1.example.com".
std::string host_name_of(const std::string& host_used) {
    return host_used.substr(0, host_used.find('['));
}

const std::string kLibraryHost = "invalid-address library"; // the attempt record's host when not sent
const std::string kSuppressionHost = "suppression list";    // ... when the suppression list stopped it

smtp::ServerReply product_reply(const ProductReply& p) {
    return smtp::ServerReply{p.code, p.text, {p.text}};
}

std::int64_t system_now_ms() {
    return common::unix_ms_now();
}

// `accounts` answers from memory: the sender's account and its sending domain's warm-up plan.
QueuedMessage queued_message(const spool::QueueEntry& entry, const std::vector<RecipientRecord>& pending,
                             const Accounts& accounts) {
    QueuedMessage m;
    m.info = {entry.envid, entry.received_at_ms, entry.envelope};
    const auto sending_domain = common::to_lower(smtp::split_address(m.info.mail_from()).second);
    if (!sending_domain.empty())
        if (const auto account = accounts.account_of(std::string(m.info.auth_user())); !account.empty())
            m.warmup = accounts.warmup(account, sending_domain);
    m.rcpts.reserve(pending.size());
    for (const auto& r : pending)
        m.rcpts.push_back({r.idx, r.state, r.attempts, r.next_attempt_ms, false});
    return m;
}

// What reporting and the event need from the body; the control header is not delivered. A
// tracked job's body becomes its recipient's own copy first: the unsubscribe headers and DKIM
// then apply to what that recipient gets. Returns the tracked message whose links must be stored
// before the job is sent (nullptr: nothing to store).
std::shared_ptr<TrackedBodies::Entry> take_body(AttemptJob& job, std::string body, const Accounts& accounts,
                                                const std::string& account, std::int64_t now_s,
                                                const std::shared_ptr<SignatureCache>& signatures,
                                                TrackedBodies& tracked) {
    job.msg_id = smtp::find_header(body, "Message-ID").value_or("");
    if (job.msg_id.size() > 2 && job.msg_id.front() == '<' && job.msg_id.back() == '>')
        job.msg_id = job.msg_id.substr(1, job.msg_id.size() - 2);
    if (const auto trace = smtp::find_header(body, "X-AliDM-Trace")) job.tag = parse_trace_header(*trace).tag;
    job.subject = smtp::find_header(body, "Subject").value_or("").substr(0, 300);
    body = smtp::remove_header(std::move(body), "X-AliDM-Trace");
    std::shared_ptr<TrackedBodies::Entry> unstored;
    if (job.track_opens || job.track_links) {
        if (const auto links = accounts.tracking_links(job.auth_user))
            unstored = render_tracked(job, body, *links, tracked);
        else
            spdlog::warn(
                "tracking.unavailable envid={} error=\"no tracking key or link host for the sender\"",
                job.envid);
    }
    job.message.body = apply_unsubscribe_headers(std::move(body), job.unsubscribe_lines);
    sign_for_delivery(job, accounts, account, now_s, signatures); // last: signs what is delivered
    return unstored;
}

// What an attempt holds in memory of a message of `size` bytes: its body read whole, then once
// more dot-stuffed for the wire. Small ones are not counted (max_deliveries bounds them).
std::uint64_t attempt_memory(std::uint64_t size) {
    return size < spool::kSpillBytes ? 0 : 2 * size;
}

WarmupPlan warmup_curve(const EngineOptions& o) {
    return WarmupPlan{0, o.warmup_start, o.warmup_growth_percent, o.warmup_days};
}

// The real backends, kept alive by the engine's state for as long as its handlers run.
struct RealBackends {
    RealBackends(asio::io_context& io, const EngineOptions& options, spool::Spool& spool, store::Store& store,
                 DeliveryLog& log)
        : queue(spool)
        , records(log)
        , accounts(store, options.warmup, warmup_curve(options), options.event_utc_offset_minutes,
                   options.tracking_link_host)
        , transport(std::make_shared<NetworkTransport>(io, options)) {}
    SpoolQueue queue;
    LogRecords records;
    StoreAccounts accounts;
    std::shared_ptr<NetworkTransport> transport;
};
} // namespace

struct Engine::Impl : std::enable_shared_from_this<Impl> {
    const EngineOptions options;
    EngineBackends io_parts;
    std::shared_ptr<void> keep_alive; // the real backends, when the engine made them
    asio::thread_pool& blocking;      // file and SQLite work
    asio::strand<asio::io_context::executor_type> strand;
    asio::strand<asio::thread_pool::executor_type> log_strand;
    asio::steady_timer timer;
    asio::steady_timer prune_timer;     // hourly: forget delivery details past the retention
    asio::steady_timer log_retry_timer; // a failed write of results, tried again
    Scheduler scheduler;
    OutcomeRules rules;
    bool stopping = false;
    std::atomic<bool> stop_requested{false}; // set by Engine::stop() at once; read by recovery
    // The delivery log could not take the last results (a full disk): no attempt starts until
    // they are written, so nothing is delivered that the log cannot record. Engine strand.
    // Set and cleared on the strand; atomic for paused() from any thread.
    std::atomic<bool> paused_on_log{false};
    // One signing per distinct message and form, shared by its jobs (src/delivery/delivery_signing.cpp).
    std::shared_ptr<SignatureCache> signatures = std::make_shared<SignatureCache>(4096, 3600);
    // Each tracked message analysed once for all its recipients (src/delivery/delivery_tracking.cpp).
    TrackedBodies tracked_bodies{1024, 64u << 20};
    struct UnstoredLinks { // a tracked job waiting for its message's links to be stored
        std::shared_ptr<AttemptJob> job;
        std::string account;
        std::shared_ptr<TrackedBodies::Entry> entry;
    };
    std::mutex links_mutex;
    std::vector<UnstoredLinks> pending_links;
    std::mutex results_mutex; // results waiting for the next group commit of the log
    std::vector<RecipientUpdate> pending_updates;
    std::vector<std::pair<std::string, std::string>> pending_nxbox; // (account, address)
    std::vector<std::uint64_t> pending_removals;

    Impl(asio::io_context& io, const EngineOptions& opts, EngineBackends parts,
         asio::thread_pool& blocking_pool)
        : options(opts)
        , io_parts(std::move(parts))
        , blocking(blocking_pool)
        , strand(asio::make_strand(io.get_executor()))
        , log_strand(asio::make_strand(blocking_pool.get_executor()))
        , timer(strand)
        , prune_timer(strand)
        , log_retry_timer(strand)
        , scheduler(
              SchedulerLimits{opts.max_deliveries, opts.max_per_destination, opts.max_rate_per_destination,
                              opts.retry_share_percent, opts.event_utc_offset_minutes},
              opts.routes, opts.destinations,
              SlowdownPolicy{opts.first_slowdown_pause(), opts.slowdown_max_pause, opts.slowdown_recovery,
                             static_cast<double>(opts.slowdown_rate_milli) / 1000})
        , rules{opts.retry_policy(), opts.region, opts.event_utc_offset_minutes} {
        if (!io_parts.now_ms) io_parts.now_ms = system_now_ms;
        // The scheduler lives and is called on the engine's strand, as these are.
        scheduler.set_admission({[this](std::uint64_t envid) { return take_memory(envid); },
                                 [this](std::uint64_t envid) { give_memory(claim_admission(envid)); }});
        for (const auto& to : scheduler.routes().invalid())
            spdlog::error("delivery.route error=\"not a route, its mail is held\" to=\"{}\"", to);
    }

    std::int64_t now() const { return io_parts.now_ms(); }

    // ---- intake ----------------------------------------------------------------------------
    // A newly committed message: all its recipients are queued, nothing to read from the log.
    // Its rows are written with its first results (DeliveryLog::apply upserts them).
    void enqueue(std::uint64_t envid) {
        auto entry = io_parts.queue.find(envid);
        if (!entry) return;
        std::vector<RecipientRecord> pending;
        for (std::size_t i = 0; i < entry->envelope->recipient_count(); ++i)
            pending.push_back({envid, static_cast<int>(i), "", RcptState::queued, 0, 0, "", "", 0});
        scheduler.add(queued_message(*entry, pending, io_parts.accounts));
        schedule();
    }

    // On the log strand: the messages read from disk at start-up, in envid order and in batches
    // (one read of the delivery log per batch, no writes, so it works on a full disk). A recipient
    // with no row has had no result yet: queued. A message with none pending was finished before a
    // crash. Each batch is its own handler, so results are written between batches, and is
    // scheduled as soon as it is read; stop() ends recovery between batches.
    void recover_batch(std::uint64_t after, std::size_t messages, std::size_t finished) {
        if (stop_requested.load()) {
            spdlog::info("delivery.recover interrupted messages={} finished={}", messages, finished);
            return;
        }
        const auto through = io_parts.queue.recovered_through();
        auto batch = after < through ? io_parts.queue.list_after(after, kRecoveryBatch)
                                     : std::vector<spool::QueueEntry>{};
        std::erase_if(batch, [through](const spool::QueueEntry& e) { return e.envid > through; });
        if (batch.empty()) {
            spdlog::info("delivery.recover messages={} finished={}", messages, finished);
            return;
        }
        const auto last = batch.back().envid;
        std::set<std::uint64_t> held;
        try { // read again for each batch: a hold or release since the last one counts
            for (const auto envid : io_parts.records.held_messages())
                held.insert(envid);
        } catch (const std::exception& e) { // not knowing which are held, attempt none of them
            spdlog::error(
                "delivery.recover error=\"{}\" env_ids={}-{} (holds unknown; left queued, not attempted)",
                e.what(), batch.front().envid, last);
            return continue_recovery(last, messages, finished);
        }
        const auto rows = batch_rows(batch);
        std::vector<std::uint64_t> done;
        auto work = pending_messages(batch, rows, held, done);
        if (!done.empty()) io_parts.queue.remove_many(done);
        messages += work.size();
        finished += done.size();
        auto self = shared_from_this();
        asio::post(strand, [self, work = std::move(work)]() mutable {
            for (auto& m : work)
                self->scheduler.add(std::move(m));
            self->schedule();
        });
        continue_recovery(last, messages, finished);
    }

    // The next batch, as a handler of its own on the log strand (results are written between).
    void continue_recovery(std::uint64_t last, std::size_t messages, std::size_t finished) {
        asio::post(log_strand, [self = shared_from_this(), last, messages, finished] {
            self->recover_batch(last, messages, finished);
        });
    }

    // The delivery log's rows of the batch's messages. Should the read fail, each message is read
    // alone and one that still fails is left out of `batch` (neither scheduled nor removed: the
    // next start tries it again).
    std::vector<RecipientRecord> batch_rows(std::vector<spool::QueueEntry>& batch) {
        std::vector<std::uint64_t> envids;
        for (const auto& e : batch)
            envids.push_back(e.envid);
        try {
            return io_parts.records.recipients_of(envids);
        } catch (const std::exception& e) {
            spdlog::warn("delivery.recover error=\"{}\" env_ids={}-{} (read one by one)", e.what(),
                         envids.front(), envids.back());
        }
        std::vector<RecipientRecord> rows;
        std::erase_if(batch, [&](const spool::QueueEntry& e) {
            try {
                auto mine = io_parts.records.recipients_of({e.envid});
                rows.insert(rows.end(), mine.begin(), mine.end());
                return false;
            } catch (const std::exception& ex) {
                spdlog::error("delivery.recover error=\"{}\" env_id={} (left queued, not attempted)",
                              ex.what(), e.envid);
                return true;
            }
        });
        return rows;
    }

    // The batch's messages with their pending recipients (`rows`: the log's rows of the batch's
    // messages, in (envid, idx) order); those with none go to `done`.
    std::vector<QueuedMessage> pending_messages(const std::vector<spool::QueueEntry>& batch,
                                                const std::vector<RecipientRecord>& rows,
                                                const std::set<std::uint64_t>& held,
                                                std::vector<std::uint64_t>& done) const {
        std::vector<QueuedMessage> out;
        auto row = rows.begin();
        for (const auto& entry : batch) {
            while (row != rows.end() && row->envid < entry.envid)
                ++row;
            std::vector<RecipientRecord> pending;
            for (std::size_t i = 0; i < entry.envelope->recipient_count(); ++i) {
                while (row != rows.end() && row->envid == entry.envid && row->idx < static_cast<int>(i))
                    ++row;
                if (row != rows.end() && row->envid == entry.envid && row->idx == static_cast<int>(i)) {
                    if (row->state == RcptState::queued || row->state == RcptState::deferred)
                        pending.push_back(*row);
                } else {
                    pending.push_back(
                        {entry.envid, static_cast<int>(i), "", RcptState::queued, 0, 0, "", "", 0});
                }
            }
            if (pending.empty()) {
                done.push_back(entry.envid);
                continue;
            }
            out.push_back(queued_message(entry, pending, io_parts.accounts));
            out.back().held = held.count(entry.envid) > 0;
        }
        return out;
    }

    // ---- scheduling -------------------------------------------------------------------------
    void schedule() {
        if (stopping || paused_on_log) return;
        const auto t = now();
        for (auto& job : scheduler.take_due(t)) {
            job.memory_charge = claim_admission(job.envid); // taken from the budget when admitted
            launch(std::make_shared<AttemptJob>(std::move(job)));
        }
        record_warmup_deferrals();
        const auto wait = scheduler.next_wakeup(t);
        if (!wait) {
            timer.cancel();
            return;
        }
        timer.expires_after(*wait);
        auto self = shared_from_this();
        timer.async_wait([self](boost::system::error_code ec) {
            if (!ec) self->schedule();
        });
    }

    // First attempts the warm-up cap moved to the next day: queue show says so, and a restart
    // keeps the day (the log strand writes them).
    void record_warmup_deferrals() {
        auto deferrals = scheduler.take_warmup_deferrals();
        if (deferrals.empty()) return;
        std::vector<RecipientRecord> rows;
        for (const auto& d : deferrals) {
            const auto reply = fmt::format("451 4.7.0 warm-up: the sending domain's cap of {} recipients for "
                                           "today is reached; next attempt at the next day's start",
                                           d.cap);
            rows.push_back({d.envid, d.idx, d.address, RcptState::deferred, 0, d.next_ms, reply, "", 0});
        }
        spdlog::info("delivery.warmup deferred={} next_attempt_ms={} cap={}", rows.size(),
                     deferrals.front().next_ms, deferrals.front().cap);
        auto self = shared_from_this();
        asio::post(log_strand, [self, rows = std::move(rows)] {
            try {
                self->io_parts.records.defer_unattempted(rows);
            } catch (const std::exception& e) {
                spdlog::error("delivery.log error=\"{}\" warmup_rows={}", e.what(), rows.size());
            }
        });
    }

    // What an attempt taught the scheduler: the MX host of its domain, and the destination's
    // slow-down or recovery (logged when it changes).
    void observe(const AttemptJob& job, const std::vector<Classification>& outcomes, std::int64_t t) {
        if (job.route.kind == RouteTarget::Kind::mx && job.host_used.find('[') != std::string::npos)
            scheduler.learn_mx(job.domain, host_name_of(job.host_used));
        const auto before = scheduler.throttle().level(job.destination);
        const auto change = scheduler.observe(job.destination, signal_of(outcomes), job.started_ms, t);
        if (change == ThrottleChange::none) return;
        const auto level = scheduler.throttle().level(job.destination);
        const auto limits = scheduler.limits_of(job.destination);
        if (change == ThrottleChange::slowed) {
            if (before == 0) ++g_throttled;
            count_slowdown(job.destination);
            spdlog::warn("delivery.slowdown destination={} level={} paused_until_ms={} max_connections={} "
                         "rate_per_second={:.3f}",
                         job.destination, level, scheduler.throttle().paused_until(job.destination),
                         limits.max_connections, limits.rate_per_second);
        } else if (change == ThrottleChange::recovered) {
            --g_throttled;
            spdlog::info("delivery.recovered destination={}", job.destination);
        } else {
            spdlog::info("delivery.speedup destination={} level={} rate_per_second={:.3f}", job.destination,
                         level, limits.rate_per_second);
        }
    }

    // Recipients whose address entered the account's invalid-address library since the message
    // was queued are not attempted: complete() records them as SysOutInvRcpt.
    void hold_back_invalid(AttemptJob& job) {
        const auto* m = scheduler.find(job.envid);
        if (!m) return;
        const auto account = io_parts.accounts.account_of(std::string(m->info.auth_user()));
        if (account.empty()) return;
        std::vector<int> indices;
        std::vector<std::string> addresses;
        for (std::size_t i = 0; i < job.rcpt_indices.size(); ++i) {
            if (io_parts.accounts.is_invalid(account, job.message.recipients[i])) {
                job.held_invalid.push_back(job.rcpt_indices[i]);
                continue;
            }
            indices.push_back(job.rcpt_indices[i]);
            addresses.push_back(std::move(job.message.recipients[i]));
        }
        job.rcpt_indices = std::move(indices);
        job.message.recipients = std::move(addresses);
    }

    // ---- memory ------------------------------------------------------------------------------
    // Attempts of large messages take their bodies' bytes from the spool's budget of message
    // bytes in memory, within its open half (authenticated ingest keeps the other), when the
    // scheduler admits them; one that does not fit waits there, holding no place in any limit,
    // until an attempt gives memory back. When no large attempt is out, one is let through
    // uncharged: delivery never stops for want of memory, and never keeps ingest out either.
    unsigned large_out = 0; // admitted attempts of large messages
    // Charged by admissions of the current take_due until their jobs (or a refund) claim them;
    // 0: the one let through uncharged.
    std::multimap<std::uint64_t, std::uint64_t> admitted; // envid -> bytes charged

    std::uint64_t memory_of(std::uint64_t envid) const {
        const auto entry = io_parts.queue.memory_budget() ? io_parts.queue.find(envid) : std::nullopt;
        return entry ? attempt_memory(entry->size) : 0;
    }

    bool take_memory(std::uint64_t envid) {
        const auto bytes = memory_of(envid);
        if (bytes == 0) return true;
        std::uint64_t charged = bytes;
        if (!io_parts.queue.memory_budget()->try_take(bytes, spool::InflightBudget::Share::open)) {
            if (large_out > 0) return false;
            charged = 0;
        }
        ++large_out;
        admitted.emplace(envid, charged);
        return true;
    }

    std::optional<std::uint64_t> claim_admission(std::uint64_t envid) {
        const auto it = admitted.find(envid);
        if (it == admitted.end()) return std::nullopt;
        const auto charged = it->second;
        admitted.erase(it);
        return charged;
    }

    void give_memory(std::optional<std::uint64_t> charged) {
        if (!charged) return;
        if (*charged > 0) io_parts.queue.memory_budget()->give_back(*charged);
        --large_out;
        scheduler.memory_freed(now());
    }

    // Reading the body is file I/O: on the blocking pool, then to the transport.
    void launch(std::shared_ptr<AttemptJob> job) {
        hold_back_invalid(*job);
        const auto* m = scheduler.find(job->envid);
        auto account = m ? io_parts.accounts.account_of(std::string(m->info.auth_user())) : std::string();
        asio::post(blocking, [self = shared_from_this(), job, account = std::move(account)] {
            self->prepare(job, account);
        });
    }

    // On the blocking pool: the body read and made ready; a tracked message's links are stored
    // (on the log strand) before its first copy goes out.
    void prepare(const std::shared_ptr<AttemptJob>& job, const std::string& account) {
        auto self = shared_from_this();
        auto body = io_parts.queue.read_body(job->envid);
        if (!body) { // deleted meanwhile (queue delete): nothing to deliver
            asio::post(strand, [self, job] { self->forget(*job); });
            return;
        }
        if (!job->unsubscribe.empty() && job->message.recipients.size() == 1)
            job->unsubscribe_lines = io_parts.accounts.unsubscribe_lines(
                job->auth_user, job->message.recipients.front(), job->unsubscribe);
        auto unstored = take_body(*job, std::move(*body), io_parts.accounts, account, now() / 1000,
                                  signatures, tracked_bodies);
        if (job->message.recipients.empty()) { // every one held back: nothing to send
            job->host_used = kLibraryHost;
            asio::post(strand, [self, job] { self->complete(*job); });
            return;
        }
        if (unstored) {
            {
                std::lock_guard lock(links_mutex);
                pending_links.push_back({job, account, std::move(unstored)});
            }
            asio::post(log_strand, [self] { self->flush_links(); });
            return;
        }
        send(job);
    }

    // Group commit of links, on the log strand: the links of every job waiting, one transaction,
    // then those jobs are sent; later flushes find nothing to do. If the links cannot be stored,
    // the jobs go out untracked: their redirects would lead nowhere.
    void flush_links() {
        std::vector<UnstoredLinks> batch;
        {
            std::lock_guard lock(links_mutex);
            batch.swap(pending_links);
        }
        if (batch.empty()) return;
        std::vector<MessageLinks> messages;
        std::set<const TrackedBodies::Entry*> seen;
        for (const auto& w : batch)
            if (!w.entry->links_stored && seen.insert(w.entry.get()).second)
                messages.push_back({w.job->envid, w.entry->message.links(), w.entry->link_host});
        try {
            if (!messages.empty()) io_parts.records.store_links(messages, now());
        } catch (const std::exception& e) {
            spdlog::error("tracking.store_failed messages={} error=\"{}\" sent=untracked", messages.size(),
                          e.what());
            for (auto& w : batch) {
                if (w.entry->links_stored) { // stored by an earlier flush: its copy can go
                    send(w.job);
                    continue;
                }
                auto& job = *w.job;
                job.track_opens = job.track_links = job.tracked = false;
                job.signature_bytes = 0;
                job.resign = nullptr;
                job.seven_bit.reset();
                asio::post(blocking, [self = shared_from_this(), w] { self->prepare(w.job, w.account); });
            }
            return;
        }
        for (auto& w : batch) {
            w.entry->links_stored = true;
            send(w.job);
        }
    }

    void send(const std::shared_ptr<AttemptJob>& job) {
        auto self = shared_from_this();
        io_parts.transport->deliver(
            job, [self, job] { asio::post(self->strand, [self, job] { self->complete(*job); }); });
    }

    void forget(const AttemptJob& job) {
        give_memory(job.memory_charge);
        scheduler.release(job);
        scheduler.forget(job.envid);
        schedule();
    }

    // ---- results ----------------------------------------------------------------------------
    void complete(const AttemptJob& job) {
        give_memory(job.memory_charge);
        scheduler.release(job);
        const auto* m = scheduler.find(job.envid);
        if (!m) return schedule(); // cancelled during the attempt: its recipients are recorded as deleted
        const auto t = now();
        const auto account = io_parts.accounts.account_of(std::string(m->info.auth_user()));
        std::vector<RecipientUpdate> updates;
        std::vector<RecipientRecord> states;
        std::vector<std::string> nxbox;       // recipients that hard-bounced as unknown
        std::vector<Classification> outcomes; // of the recipients attempted, for the destination's slow-down
        // The attempted recipients with their replies, then the ones held back as invalid.
        std::vector<int> indices = job.rcpt_indices;
        std::vector<smtp::ServerReply> replies = job.replies;
        replies.resize(indices.size(), product_reply(kConnectFailed));
        for (const int idx : job.held_invalid) {
            indices.push_back(idx);
            replies.push_back(product_reply(kInvalidLibrary));
        }
        for (std::size_t i = 0; i < indices.size(); ++i) {
            const auto r = std::find_if(m->rcpts.begin(), m->rcpts.end(),
                                        [&](const QueuedRecipient& q) { return q.idx == indices[i]; });
            if (r == m->rcpts.end()) continue;
            const bool held = i >= job.rcpt_indices.size(); // not sent: in the invalid-address library
            const std::string& host = held ? kLibraryHost : job.host_used;
            const AttemptFacts facts{m->info, *r,         replies[i], job.started_ms, t,
                                     host,    job.msg_id, job.tag,    job.subject,    account};
            auto out = decide_outcome(facts, rules);
            const auto& rec = out.update.record;
            count_delivery_result(to_string(rec.state), out.classification.failed_type, t - job.started_ms);
            spdlog::info("delivery.result env_id={} rcpt={} host={} state={} reply=\"{}\" failed_type={}",
                         job.envid, m->info.address(r->idx), host, to_string(rec.state), rec.last_reply,
                         out.classification.failed_type);
            if (out.hard_bounce) nxbox.emplace_back(m->info.address(r->idx));
            // Once per recipient: its final refusal (a 4xx spam deferral is retried, and counted
            // if it expires so).
            if (out.classification.failed_type == "SmtpContSpam" &&
                (rec.state == RcptState::failed || rec.state == RcptState::expired))
                io_parts.accounts.count_spam_refusal(account, m->info.via_api());
            states.push_back(rec);
            if (!held) outcomes.push_back(out.classification);
            updates.push_back(std::move(out.update));
        }
        observe(job, outcomes, t);
        const bool all_final = scheduler.settle(job.envid, states); // `m` is gone if so
        {
            std::lock_guard lock(results_mutex);
            for (auto& u : updates)
                pending_updates.push_back(std::move(u));
            for (auto& addr : nxbox)
                pending_nxbox.emplace_back(account, std::move(addr));
            if (all_final) pending_removals.push_back(job.envid);
        }
        auto self = shared_from_this();
        asio::post(log_strand, [self] { self->flush_results(); });
        schedule();
    }

    // Group commit of results: one transaction for everything pending, then one directory fsync
    // for every finished message. Runs on the log strand; later flushes find nothing to do.
    // `last`: the write stop() asks for; what fails then is lost (logged), not kept.
    void flush_results(bool last = false) {
        std::vector<RecipientUpdate> updates;
        std::vector<std::pair<std::string, std::string>> nx;
        std::vector<std::uint64_t> removals;
        {
            std::lock_guard lock(results_mutex);
            updates.swap(pending_updates);
            nx.swap(pending_nxbox);
            removals.swap(pending_removals);
        }
        if (updates.empty()) return;
        try {
            io_parts.records.apply(updates);
        } catch (const std::exception& e) {
            if (last) { // at shutdown: these recipients are tried again after a restart
                spdlog::error("delivery.log error=\"{}\" results_lost={}", e.what(), updates.size());
                return;
            }
            // Kept, ahead of any newer results, and written again; until then no attempt starts.
            spdlog::error("delivery.log error=\"{}\" results={} (kept; attempts paused)", e.what(),
                          updates.size());
            {
                std::lock_guard lock(results_mutex);
                updates.insert(updates.end(), std::make_move_iterator(pending_updates.begin()),
                               std::make_move_iterator(pending_updates.end()));
                pending_updates = std::move(updates);
                nx.insert(nx.end(), pending_nxbox.begin(), pending_nxbox.end());
                pending_nxbox = std::move(nx);
                removals.insert(removals.end(), pending_removals.begin(), pending_removals.end());
                pending_removals = std::move(removals);
            }
            asio::post(strand, [self = shared_from_this()] { self->block_on_log(); });
            return;
        }
        try {
            for (const auto& [account, addr] : nx) {
                if (account.empty()) continue;
                if (io_parts.records.add_hard_bounce(account, addr) >=
                    static_cast<int>(options.invalid_address_threshold))
                    io_parts.accounts.add_invalid(account, addr);
            }
        } catch (const std::exception& e) { // the results are written: only the count is lost
            spdlog::error("delivery.log error=\"{}\" hard_bounces={}", e.what(), nx.size());
        }
        io_parts.queue.remove_many(removals);
        for (const auto envid : removals)
            tracked_bodies.forget(envid);
        asio::post(strand, [self = shared_from_this()] { self->unblock_log(); });
    }

    // Engine strand: a failed write of results pauses new attempts and tries the write again.
    void block_on_log() {
        if (stopping) return;
        paused_on_log = true;
        // The databases need room: the spool's reserve is given back (no-op if already).
        asio::post(log_strand, [weak = weak_from_this()] {
            if (auto self = weak.lock()) self->io_parts.queue.release_reserve();
        });
        log_retry_timer.expires_after(options.log_write_retry);
        log_retry_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (ec || self->stopping) return;
            asio::post(self->log_strand, [weak = self->weak_from_this()] {
                if (auto again = weak.lock()) again->flush_results();
            });
        });
    }
    void unblock_log() {
        if (!paused_on_log) return;
        paused_on_log = false;
        log_retry_timer.cancel();
        spdlog::info("delivery.log written again; attempts resume");
        schedule();
    }

    void retry_now(std::uint64_t envid) {
        const auto t = now();
        if (!scheduler.retry_now(envid, t)) return;
        auto self = shared_from_this();
        asio::post(log_strand, [self, envid, t] {
            try {
                self->io_parts.records.set_next_attempt(envid, t);
            } catch (const std::exception& e) {
                spdlog::error("delivery.log error=\"{}\" env_id={}", e.what(), envid);
            }
        });
        schedule();
    }

    // Written first on the log strand (after recovery read the holds, or before), then applied:
    // a hold is never lost to a restart, nor to a message the scheduler has not been given yet.
    void hold(std::uint64_t envid, bool held) {
        auto self = shared_from_this();
        asio::post(log_strand, [self, envid, held] {
            try {
                self->io_parts.records.set_held(envid, held, self->now());
            } catch (const std::exception& e) {
                spdlog::error("delivery.log error=\"{}\" env_id={}", e.what(), envid);
            }
            asio::post(self->strand, [self, envid, held] {
                if (self->scheduler.set_held(envid, held, self->now()) && !held) self->schedule();
            });
        });
        spdlog::info("delivery.{} env_id={}", held ? "hold" : "release", envid);
    }

    void cancel(std::uint64_t envid, std::vector<std::string> addresses) {
        auto self = shared_from_this();
        asio::post(strand, [self, envid] { self->scheduler.forget(envid); });
        asio::post(log_strand, [self, envid, addresses = std::move(addresses)] {
            try {
                self->io_parts.records.mark_deleted(envid, addresses);
            } catch (const std::exception& e) {
                spdlog::error("delivery.log error=\"{}\" env_id={}", e.what(), envid);
            }
        });
    }

    // The record of a recipient that was never queued: decided like an attempt's result (one
    // place formats events and reports), committed with the next group of results.
    void record_suppressed(const store::SuppressedSend& s) {
        std::uint64_t envid = 0;
        try {
            envid = io_parts.queue.allocate_envid();
        } catch (const std::exception& e) {
            spdlog::error("delivery.suppressed error=\"{}\" rcpt={}", e.what(), s.rcpt);
            return;
        }
        const auto t = now();
        smtp::Envelope envelope;
        envelope.mail_from = s.mail_from;
        envelope.auth_user = s.sender;
        envelope.recipients.push_back({s.rcpt, "", ""});
        const MessageInfo info{envid, t, std::make_shared<const smtp::PackedEnvelope>(envelope)};
        const QueuedRecipient rcpt{0, RcptState::queued, 0, 0, false};
        const auto reply = product_reply(kSuppressed);
        const std::string no_msg_id;
        const AttemptFacts facts{info,      rcpt,  reply,     t,        t, kSuppressionHost,
                                 no_msg_id, s.tag, s.subject, s.account};
        auto out = decide_outcome(facts, rules);
        count_delivery_result(to_string(out.update.record.state), out.classification.failed_type, 0);
        spdlog::info("delivery.result env_id={} rcpt={} host=\"{}\" state={} source={} failed_type={}", envid,
                     s.rcpt, kSuppressionHost, to_string(out.update.record.state), s.source,
                     out.classification.failed_type);
        {
            std::lock_guard lock(results_mutex);
            pending_updates.push_back(std::move(out.update));
        }
        flush_results();
    }

    // Not a coroutine: a plain chain of timer callbacks on the engine's strand, the SQLite work
    // on the log strand (the delivery log's transactions never interleave).
    void schedule_prune(std::chrono::seconds delay) {
        prune_timer.expires_after(delay);
        auto self = shared_from_this();
        prune_timer.async_wait([self](boost::system::error_code ec) {
            if (ec || self->stopping) return;
            const auto cutoff = self->now() - self->options.log_retention.count();
            asio::post(self->log_strand, [self, cutoff] {
                try {
                    const auto queued = [&](std::uint64_t envid) {
                        return self->io_parts.queue.contains(envid);
                    };
                    if (const auto n = self->io_parts.records.prune(cutoff, queued))
                        spdlog::info("delivery.prune messages={}", n);
                } catch (const std::exception& e) {
                    spdlog::error("delivery.prune error=\"{}\"", e.what());
                }
            });
            self->schedule_prune(std::chrono::hours(1));
        });
    }

    void stop() {
        stopping = true;
        timer.cancel();
        prune_timer.cancel();
        log_retry_timer.cancel();
        io_parts.transport->stop();
        // Results kept after a failed write get a last try (the blocking pool is joined after).
        // Weak: posted from the engine's strand, possibly after the blocking pool was joined (a test's
        // teardown); an unrun handler must not be the last owner of the engine.
        asio::post(log_strand, [weak = weak_from_this()] {
            if (auto self = weak.lock()) self->flush_results(true);
        });
    }
};

Engine::Engine(asio::io_context& io, const EngineOptions& options, spool::Spool& spool, store::Store& store,
               DeliveryLog& log, asio::thread_pool& blocking) {
    auto real = std::make_shared<RealBackends>(io, options, spool, store, log);
    impl_ = std::make_shared<Impl>(
        io, options, EngineBackends{real->queue, real->records, real->accounts, real->transport, {}},
        blocking);
    impl_->keep_alive = std::move(real);
}

Engine::Engine(asio::io_context& io, const EngineOptions& options, EngineBackends backends,
               asio::thread_pool& blocking)
    : impl_(std::make_shared<Impl>(io, options, std::move(backends), blocking)) {}

Engine::~Engine() = default;

void Engine::start() {
    auto impl = impl_;
    asio::post(impl->log_strand, [impl] { impl->recover_batch(0, 0, 0); });
    asio::post(impl->strand, [impl] { impl->schedule_prune(std::chrono::seconds(10)); });
}

void Engine::enqueue(std::uint64_t envid) {
    auto impl = impl_; // called from SMTP sessions' strands: the state lives on the engine's strand
    asio::post(impl->strand, [impl, envid] { impl->enqueue(envid); });
}

void Engine::retry_now(std::uint64_t envid) {
    auto impl = impl_;
    asio::post(impl->strand, [impl, envid] { impl->retry_now(envid); });
}

void Engine::hold(std::uint64_t envid, bool held) {
    impl_->hold(envid, held);
}

void Engine::cancel(std::uint64_t envid, std::vector<std::string> addresses) {
    impl_->cancel(envid, std::move(addresses));
}

void Engine::record_suppressed(store::SuppressedSend send) {
    auto impl = impl_; // the envid and the commit are blocking work: the log strand
    asio::post(impl->log_strand, [impl, send = std::move(send)] { impl->record_suppressed(send); });
}

bool Engine::paused() const {
    return impl_->paused_on_log.load();
}

void Engine::stop() {
    auto impl = impl_;
    impl->stop_requested = true;
    asio::post(impl->strand, [impl] { impl->stop(); });
}

} // namespace mailpush::delivery
