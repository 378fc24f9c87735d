// Engine state and scheduling. Everything here runs on one strand (callbacks, not coroutines);
// SQLite and file work goes to the blocking pool through a second strand that serialises the
// delivery log; network attempts are coroutines on their own strands (attempt.cpp).
// Order for every result: record durably (delivery log) -> update memory -> remove the spool
// file when every recipient is final. A crash in between repeats at most the in-flight attempt.
#include "mailpush/delivery/engine.hpp"

#include "attempt.hpp"
#include "connection_cache.hpp"

#include "mailpush/common/metrics.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/config/config.hpp"
#include "mailpush/delivery/classifier.hpp"
#include "mailpush/delivery/delivery_log.hpp"
#include "mailpush/delivery/event_format.hpp"
#include "mailpush/delivery/retry_policy.hpp"
#include "mailpush/smtp/command.hpp"
#include "mailpush/smtp/message_headers.hpp"
#include "mailpush/spool/spool.hpp"
#include "mailpush/store/store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include <map>
#include <mutex>

namespace mailpush::delivery {
namespace asio = boost::asio;
using Clock = std::chrono::system_clock;

namespace {
// `mailpush_delivery_results_total{state,failed_type}` and the attempt latency histogram.
void count_delivery_result(const char* state, const std::string& failed_type, std::int64_t took_ms) {
    auto& r = metrics::registry();
    r.counter("mailpush_delivery_results_total", "Delivery attempt results per recipient",
              {{"state", state}, {"failed_type", failed_type}})
        .add();
    static auto& latency = r.histogram("mailpush_delivery_attempt_seconds", "Duration of delivery attempts");
    latency.observe(static_cast<double>(took_ms) / 1000.0);
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
}

RouteTarget parse_route(const std::string& to) {
    if (to == "hold") return {RouteTarget::Kind::hold, "", 0};
    if (to.starts_with("capture:")) return {RouteTarget::Kind::capture, to.substr(8), 0};
    if (to.starts_with("smtp://")) {
        std::string hp = to.substr(7);
        while (!hp.empty() && hp.back() == '/')
            hp.pop_back();
        const auto colon = hp.rfind(':');
        std::uint16_t port = 25;
        if (colon != std::string::npos) {
            if (auto p = common::parse_u64(hp.substr(colon + 1)); p && *p > 0 && *p < 65536)
                port = static_cast<std::uint16_t>(*p);
            hp = hp.substr(0, colon);
        }
        if (hp.size() > 2 && hp.front() == '[' && hp.back() == ']') hp = hp.substr(1, hp.size() - 2);
        return {RouteTarget::Kind::smarthost, hp, port};
    }
    return {RouteTarget::Kind::mx, "", 0};
}

} // namespace

struct Engine::Impl : std::enable_shared_from_this<Impl> {
    struct Rcpt {
        int idx = 0;
        std::string address;
        RcptState state = RcptState::queued;
        int attempts = 0;
        std::int64_t next_ms = 0;
        bool in_flight = false;
    };
    struct Message {
        spool::QueueEntry entry;
        std::vector<Rcpt> rcpts;
    };

    asio::io_context& io;
    const config::Config& cfg;
    spool::Spool& spool;
    store::Store& store;
    DeliveryLog& log;
    asio::thread_pool& blocking; // file and SQLite work
    asio::strand<asio::io_context::executor_type> strand;
    asio::strand<asio::thread_pool::executor_type> log_strand;
    asio::steady_timer timer;
    asio::steady_timer prune_timer; // hourly: forget delivery details past the retention
    dns::Resolver resolver;
    asio::ssl::context client_tls{asio::ssl::context::tls_client};
    RetryPolicy policy;
    ConnectionCache connections{std::chrono::seconds(2), 20, 100}; // idle 2 s, 100 messages per connection
    std::map<std::uint64_t, Message> messages;
    std::multimap<std::int64_t, std::uint64_t> due; // next attempt -> message (may hold stale entries)
    std::map<std::string, unsigned> per_destination;
    std::map<std::string, std::int64_t> next_start; // rate limit: earliest next attempt per destination
    unsigned in_flight = 0;
    bool stopping = false;
    std::mutex results_mutex; // results waiting for the next group commit of the log
    std::vector<RecipientUpdate> pending_updates;
    std::vector<std::pair<std::string, std::string>> pending_nxbox; // (account, address)
    std::vector<std::uint64_t> pending_removals;

    Impl(asio::io_context& io_, const config::Config& cfg_, spool::Spool& sp, store::Store& st,
         DeliveryLog& lg, asio::thread_pool& blocking_pool)
        : io(io_)
        , cfg(cfg_)
        , spool(sp)
        , store(st)
        , log(lg)
        , blocking(blocking_pool)
        , strand(asio::make_strand(io_.get_executor()))
        , log_strand(asio::make_strand(blocking_pool.get_executor()))
        , timer(strand)
        , prune_timer(strand)
        , resolver(io_.get_executor(),
                   dns::ResolverOptions{cfg_.delivery.dns_servers, std::chrono::seconds(5), 2,
                                        std::chrono::seconds(60)}) {
        client_tls.set_verify_mode(asio::ssl::verify_none); // opportunistic TLS, as MTAs do (RFC 7435)
        policy = RetryPolicy{cfg.delivery.retry_initial, cfg.delivery.retry_max, cfg.delivery.max_lifetime};
    }

    RouteTarget route_for(const std::string& domain) const {
        const delivery::Route* star = nullptr;
        for (const auto& r : cfg.delivery.routes) {
            if (r.domain == "*")
                star = &r;
            else if (common::iequals(r.domain, domain))
                return parse_route(r.to);
        }
        return star ? parse_route(star->to) : RouteTarget{RouteTarget::Kind::mx, "", 0};
    }

    static std::string destination_key(const RouteTarget& r, const std::string& domain) {
        switch (r.kind) {
        case RouteTarget::Kind::smarthost:
            return "smtp:" + r.host + ":" + std::to_string(r.port);
        case RouteTarget::Kind::capture:
            return "capture:" + r.host;
        case RouteTarget::Kind::hold:
            return "hold";
        case RouteTarget::Kind::mx:
            break;
        }
        return "mx:" + domain;
    }

    // ---- intake ----------------------------------------------------------------------------
    void add_message(spool::QueueEntry entry, const std::vector<RecipientRecord>& pending) {
        Message m;
        for (const auto& r : pending)
            m.rcpts.push_back({r.idx, r.address, r.state, r.attempts, r.next_attempt_ms, false});
        if (m.rcpts.empty()) return;
        const auto envid = entry.envid;
        m.entry = std::move(entry);
        std::int64_t first = INT64_MAX;
        for (const auto& r : m.rcpts)
            first = std::min(first, r.next_ms);
        messages[envid] = std::move(m);
        due.emplace(first, envid);
    }

    // A newly committed message: all its recipients are queued, nothing to read from the log.
    // Its rows are written with its first results (DeliveryLog::apply upserts them).
    void enqueue(std::uint64_t envid) {
        auto entry = spool.find(envid);
        if (!entry) return;
        std::vector<RecipientRecord> pending;
        for (std::size_t i = 0; i < entry->envelope.recipients.size(); ++i)
            pending.push_back({envid, static_cast<int>(i), entry->envelope.recipients[i].address,
                               RcptState::queued, 0, 0, "", "", 0});
        add_message(std::move(*entry), pending);
        schedule();
    }

    void recover() {
        auto self = shared_from_this();
        asio::post(log_strand, [self] {
            std::vector<std::pair<spool::QueueEntry, std::vector<RecipientRecord>>> work;
            std::size_t finished = 0;
            for (auto& entry : self->spool.list()) {
                std::vector<std::string> addrs;
                for (const auto& r : entry.envelope.recipients)
                    addrs.push_back(r.address);
                try {
                    self->log.ensure_recipients(entry.envid, addrs);
                    auto rows = self->log.recipients(entry.envid);
                    std::erase_if(rows, [](const RecipientRecord& r) {
                        return r.state != RcptState::queued && r.state != RcptState::deferred;
                    });
                    if (rows.empty()) { // every recipient was final before a crash: finish the job
                        self->spool.remove(entry.envid);
                        ++finished;
                        continue;
                    }
                    work.emplace_back(std::move(entry), std::move(rows));
                } catch (const std::exception& e) {
                    spdlog::error("delivery.recover error=\"{}\" env_id={}", e.what(), entry.envid);
                }
            }
            spdlog::info("delivery.recover messages={} finished={}", work.size(), finished);
            asio::post(self->strand, [self, work = std::move(work)]() mutable {
                for (auto& [entry, rows] : work)
                    self->add_message(std::move(entry), rows);
                self->schedule();
            });
        });
    }

    // ---- scheduling -------------------------------------------------------------------------
    void schedule() {
        if (stopping) return;
        const auto now = now_ms();
        std::vector<std::uint64_t> blocked; // due, but over a concurrency limit: look again later
        while (!due.empty() && due.begin()->first <= now && in_flight < cfg.delivery.max_deliveries) {
            const auto envid = due.begin()->second;
            due.erase(due.begin());
            if (!start_due(envid, now)) blocked.push_back(envid);
        }
        for (auto envid : blocked)
            due.emplace(now, envid);
        arm_timer(now, !blocked.empty());
    }

    void arm_timer(std::int64_t now, bool recheck_soon) {
        if (due.empty() && !recheck_soon) {
            timer.cancel();
            return;
        }
        std::int64_t wait = due.empty() ? 1000 : std::max<std::int64_t>(0, due.begin()->first - now);
        if (recheck_soon) wait = std::min<std::int64_t>(wait, 1000);
        timer.expires_after(std::chrono::milliseconds(wait));
        auto self = shared_from_this();
        timer.async_wait([self](boost::system::error_code ec) {
            if (!ec) self->schedule();
        });
    }

    // Starts attempts for the due recipients of one message, one per destination.
    // Returns false if some were held back by a limit.
    bool start_due(std::uint64_t envid, std::int64_t now) {
        auto it = messages.find(envid);
        if (it == messages.end()) return true;
        Message& m = it->second;
        std::map<std::string, std::vector<Rcpt*>> by_domain;
        std::int64_t later = INT64_MAX;
        for (auto& r : m.rcpts) {
            if (r.in_flight || r.state == RcptState::delivered || r.state == RcptState::failed) continue;
            if (r.next_ms > now) {
                later = std::min(later, r.next_ms);
                continue;
            }
            by_domain[common::to_lower(smtp::split_address(r.address).second)].push_back(&r);
        }
        bool all_started = true;
        for (auto& [domain, rcpts] : by_domain) {
            const auto route = route_for(domain);
            if (route.kind == RouteTarget::Kind::hold) continue; // stays queued until the route changes
            const auto key = destination_key(route, domain);
            if (in_flight >= cfg.delivery.max_deliveries ||
                per_destination[key] >= cfg.delivery.max_per_destination) {
                all_started = false;
                continue;
            }
            if (cfg.delivery.max_rate_per_destination > 0) { // spacing between attempt starts per destination
                auto& next_ok = next_start[key];
                if (now < next_ok) {
                    later = std::min(later, next_ok);
                    continue;
                }
                next_ok = std::max(next_ok, now) +
                          std::max<std::int64_t>(1, 1000 / cfg.delivery.max_rate_per_destination);
            }
            ++in_flight;
            ++per_destination[key];
            auto job = std::make_shared<AttemptJob>();
            job->envid = envid;
            job->domain = domain;
            job->route = route;
            job->cache_key = key;
            job->started_ms = now;
            job->message.mail_from = m.entry.envelope.mail_from;
            job->message.eight_bit = m.entry.envelope.body_type == "8BITMIME";
            job->message.smtputf8 = m.entry.envelope.smtputf8;
            for (auto* r : rcpts) {
                r->in_flight = true;
                job->rcpt_indices.push_back(r->idx);
                job->message.recipients.push_back(r->address);
            }
            launch(job, key);
        }
        if (later != INT64_MAX) due.emplace(later, envid);
        return all_started;
    }

    // ---- attempts ---------------------------------------------------------------------------
    void launch(std::shared_ptr<AttemptJob> job, std::string key) {
        auto self = shared_from_this();
        // Reading the body is file I/O: do it on the blocking pool, then go to the network.
        asio::post(blocking, [self, job, key] {
            auto body = self->spool.read_body(job->envid);
            if (!body) { // deleted meanwhile (queue delete): nothing to deliver
                asio::post(self->strand, [self, job, key] { self->forget(job, key); });
                return;
            }
            job->msg_id = smtp::find_header(*body, "Message-ID").value_or("");
            if (job->msg_id.size() > 2 && job->msg_id.front() == '<' && job->msg_id.back() == '>')
                job->msg_id = job->msg_id.substr(1, job->msg_id.size() - 2);
            if (const auto trace = smtp::find_header(*body, "X-AliDM-Trace"))
                job->tag = parse_trace_header(*trace).tag;
            job->subject = smtp::find_header(*body, "Subject").value_or("").substr(0, 300);
            job->message.body =
                smtp::remove_header(std::move(*body), "X-AliDM-Trace"); // SPEC §3: control header
            if (job->route.kind == RouteTarget::Kind::capture) {
                job->replies.assign(job->message.recipients.size(), capture_message(job->route.host, *job));
                job->host_used = "capture:" + job->route.host;
                asio::post(self->strand, [self, job, key] { self->complete(job, key); });
                return;
            }
            asio::co_spawn(asio::make_strand(self->io), network_attempt(self, job),
                           [self, job, key](std::exception_ptr e) {
                               if (e)
                                   job->replies.assign(job->message.recipients.size(),
                                                       smtp::ServerReply{421, "4.3.0 internal error", {}});
                               asio::post(self->strand, [self, job, key] { self->complete(job, key); });
                           });
        });
    }

    static asio::awaitable<void> network_attempt(std::shared_ptr<Impl> self,
                                                 std::shared_ptr<AttemptJob> job) {
        AttemptContext ctx{self->io.get_executor(),
                           self->connections,
                           self->resolver,
                           self->client_tls,
                           self->cfg.delivery.hostname,
                           self->cfg.delivery.remote_port,
                           self->cfg.delivery.connect_timeout,
                           self->cfg.delivery.command_timeout};
        co_await run_attempt(ctx, *job);
    }

    void forget(const std::shared_ptr<AttemptJob>& job, const std::string& key) {
        release(key);
        messages.erase(job->envid);
        schedule();
    }

    void release(const std::string& key) {
        --in_flight;
        if (--per_destination[key] == 0) per_destination.erase(key);
    }

    // ---- results ----------------------------------------------------------------------------
    void complete(std::shared_ptr<AttemptJob> job, std::string key) {
        release(key);
        auto it = messages.find(job->envid);
        if (it == messages.end()) return schedule();
        Message& m = it->second;
        const auto now = now_ms();
        const auto directory = store.directory(); // keep the snapshot alive while `sender` points into it
        const auto* sender = directory->sender(m.entry.envelope.auth_user);
        const std::string account = sender ? sender->account : "";
        std::vector<RecipientUpdate> updates;
        std::vector<std::string> nxbox; // recipients that hard-bounced as unknown
        for (std::size_t i = 0; i < job->rcpt_indices.size(); ++i) {
            auto rit = std::find_if(m.rcpts.begin(), m.rcpts.end(),
                                    [&](const Rcpt& r) { return r.idx == job->rcpt_indices[i]; });
            if (rit == m.rcpts.end()) continue;
            Rcpt& r = *rit;
            const auto& rep = job->replies[i];
            const auto cls = classify(rep.code, rep.text);
            r.in_flight = false;
            r.attempts += 1;
            RecipientUpdate u;
            u.record = {job->envid, r.idx,      r.address,       RcptState::delivered,        r.attempts,
                        0,          rep.line(), cls.failed_type, static_cast<int>(cls.status)};
            u.attempt = {job->envid, r.idx, job->started_ms, now, job->host_used, rep.line()};
            if (cls.status != Status::success) {
                const auto age = std::chrono::milliseconds(now - m.entry.received_at_ms);
                const auto delay = policy.next_delay(static_cast<unsigned>(r.attempts), cls.retry, age);
                if (delay) {
                    u.record.state = RcptState::deferred;
                    u.record.next_attempt_ms = now + delay->count();
                    u.record.status = 0;
                } else {
                    u.record.state = RcptState::failed;
                    if (cls.failed_type == "SmtpNxBox") nxbox.push_back(r.address);
                }
            }
            r.state = u.record.state;
            r.next_ms = u.record.next_attempt_ms;
            if (r.state == RcptState::delivered || r.state == RcptState::failed) {
                DeliveryEvent ev{job->envid,
                                 job->msg_id,
                                 m.entry.envelope.mail_from,
                                 m.entry.envelope.mail_from,
                                 r.address,
                                 Clock::time_point(std::chrono::milliseconds(m.entry.received_at_ms)),
                                 Clock::time_point(std::chrono::milliseconds(now)),
                                 static_cast<int>(cls.status),
                                 cfg.delivery.region,
                                 rep.code,
                                 rep.line(),
                                 cls.failed_type};
                u.event = format_delivery_event(ev, cfg.delivery.event_utc_offset_minutes * 60);
                u.report.account = account;
                u.report.mail_from = m.entry.envelope.auth_user.empty() ? m.entry.envelope.mail_from
                                                                        : m.entry.envelope.auth_user;
                u.report.tag = job->tag;
                u.report.subject = job->subject;
            }
            count_delivery_result(to_string(r.state), cls.failed_type, now - job->started_ms);
            spdlog::info("delivery.result env_id={} rcpt={} host={} state={} reply=\"{}\" failed_type={}",
                         job->envid, r.address, job->host_used, to_string(r.state), rep.line(),
                         cls.failed_type);
            updates.push_back(std::move(u));
        }
        bool all_final = true;
        std::int64_t next = INT64_MAX;
        for (const auto& r : m.rcpts) {
            if (r.state == RcptState::queued || r.state == RcptState::deferred || r.in_flight)
                all_final = false;
            if (r.state == RcptState::deferred && !r.in_flight) next = std::min(next, r.next_ms);
        }
        if (next != INT64_MAX) due.emplace(next, job->envid);
        if (all_final) messages.erase(it);
        {
            std::lock_guard lock(results_mutex);
            for (auto& u : updates)
                pending_updates.push_back(std::move(u));
            for (auto& addr : nxbox)
                pending_nxbox.emplace_back(account, std::move(addr));
            if (all_final) pending_removals.push_back(job->envid);
        }
        auto self = shared_from_this();
        asio::post(log_strand, [self] { self->flush_results(); });
        schedule();
    }

    // Group commit of results: one transaction for everything pending, then one directory fsync
    // for every finished message. Runs on the log strand; later flushes find nothing to do.
    void flush_results() {
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
            log.apply(updates);
            for (const auto& [account, addr] : nx) {
                if (account.empty()) continue;
                if (log.add_hard_bounce(account, addr) >=
                    static_cast<int>(cfg.delivery.invalid_address_threshold))
                    store.add_invalid(account, addr, "SmtpNxBox");
            }
        } catch (const std::exception& e) {
            // Not durable: keep the messages; they are attempted again after a restart.
            spdlog::error("delivery.log error=\"{}\" results={}", e.what(), updates.size());
            return;
        }
        spool.remove_many(removals);
    }

    void retry_now(std::uint64_t envid) {
        auto it = messages.find(envid);
        if (it == messages.end()) return;
        const auto now = now_ms();
        for (auto& r : it->second.rcpts)
            if (r.state == RcptState::deferred && !r.in_flight) r.next_ms = now;
        due.emplace(now, envid);
        auto self = shared_from_this();
        asio::post(log_strand, [self, envid, now] { self->log.set_next_attempt(envid, now); });
        schedule();
    }
};

Engine::Engine(asio::io_context& io, const config::Config& cfg, spool::Spool& spool, store::Store& store,
               DeliveryLog& log, asio::thread_pool& blocking)
    : impl_(std::make_shared<Impl>(io, cfg, spool, store, log, blocking)) {}

Engine::~Engine() = default;

namespace {
// Not a coroutine: a plain chain of timer callbacks on the engine's strand, the SQLite work on
// the log strand (the delivery log's transactions never interleave).
void schedule_prune(std::shared_ptr<Engine::Impl> impl, std::chrono::seconds delay) {
    impl->prune_timer.expires_after(delay);
    impl->prune_timer.async_wait([impl](boost::system::error_code ec) {
        if (ec || impl->stopping) return;
        const auto cutoff = now_ms() - impl->cfg.delivery.log_retention.count();
        asio::post(impl->log_strand, [impl, cutoff] {
            try {
                if (const auto n = impl->log.prune(cutoff)) spdlog::info("delivery.prune messages={}", n);
            } catch (const std::exception& e) {
                spdlog::error("delivery.prune error=\"{}\"", e.what());
            }
        });
        schedule_prune(impl, std::chrono::hours(1));
    });
}
} // namespace

void Engine::start() {
    impl_->recover();
    schedule_prune(impl_, std::chrono::seconds(10));
}

void Engine::enqueue(std::uint64_t envid) {
    auto impl = impl_; // called from SMTP sessions' strands: the state lives on the engine's strand
    asio::post(impl->strand, [impl, envid] { impl->enqueue(envid); });
}

void Engine::retry_now(std::uint64_t envid) {
    auto impl = impl_;
    asio::post(impl->strand, [impl, envid] { impl->retry_now(envid); });
}

void Engine::cancel(std::uint64_t envid, std::vector<std::string> addresses) {
    auto impl = impl_;
    asio::post(impl->strand, [impl, envid] { impl->messages.erase(envid); });
    asio::post(impl->log_strand, [impl, envid, addresses = std::move(addresses)] {
        try {
            impl->log.mark_deleted(envid, addresses);
        } catch (const std::exception& e) {
            spdlog::error("delivery.log error=\"{}\" env_id={}", e.what(), envid);
        }
    });
}

void Engine::stop() {
    auto impl = impl_;
    asio::post(impl->strand, [impl] {
        impl->stopping = true;
        impl->timer.cancel();
        impl->prune_timer.cancel();
        impl->connections.clear();
    });
}

} // namespace mailpush::delivery
