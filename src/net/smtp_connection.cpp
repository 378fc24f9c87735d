// The I/O driver of one SMTP session: reads bytes into the sans-I/O core, writes its replies,
// performs its actions (credential check, spool commit, TLS handshake) and enforces timeouts
// (RFC 5321 §4.5.3.2). Talks to an untrusted client; all protocol decisions are the core's.
#include "data_spill.hpp"
#include "server_shared.hpp"
#include "smtp_metrics.hpp"
#include "traffic_checks.hpp"

#include "mailpush/common/calendar.hpp"
#include "mailpush/common/password_hash.hpp"
#include "mailpush/common/security_log.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/net/offload.hpp"
#include "mailpush/smtp/command.hpp"
#include "mailpush/smtp/message_headers.hpp"
#include "mailpush/smtp/trace_header.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <variant>

namespace mailpush::net {
namespace {
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::int64_t unix_now() {
    return common::unix_seconds_now();
}

std::optional<smtp::Reply> quota_refusal(store::QuotaVerdict verdict) {
    switch (verdict) {
    case store::QuotaVerdict::ok:
        return std::nullopt;
    case store::QuotaVerdict::daily_exceeded:
        return count_rejection("quota_daily"), smtp::replies::daily_quota_exceeded();
    case store::QuotaVerdict::monthly_exceeded:
        return count_rejection("quota_monthly"), smtp::replies::monthly_quota_exceeded();
    case store::QuotaVerdict::not_enough:
        return count_rejection("quota_not_enough"), smtp::replies::not_enough_quota();
    }
    return std::nullopt;
}

// Answers the core's cheap checks from memory: storage state, account status, IP protection,
// verified domain, quotas, the invalid library.
// What DATA needs free in the budget of message bytes in memory: one read's worth.
constexpr std::uint64_t kDataRoom = 64 * 1024;

class ConnectionPolicy final : public smtp::SessionPolicy {
public:
    ConnectionPolicy(ServerShared& s, std::string peer_ip)
        : shared_(s)
        , peer_ip_(std::move(peer_ip)) {}
    std::optional<smtp::Reply> check_mail(const smtp::Envelope& env) override {
        if (shared_.spool.storage_low()) return smtp::replies::storage_low();
        const auto dir = shared_.store.directory();
        const auto* sender = dir->sender(env.auth_user);
        if (!sender) return std::nullopt;
        if (!sender->account_active)
            return count_rejection("account_suspended"), smtp::replies::account_unavailable();
        if (!dir->ip_allowed(sender->account, peer_ip_))
            return count_rejection("ip_protection"), smtp::replies::ip_not_allowed(peer_ip_);
        if (shared_.cfg.require_verified_domain && !sender->domain_verified)
            return count_rejection("domain_unverified"), smtp::replies::domain_not_verified();
        if (auto refusal = quota_reply(*dir, sender->account, 0)) return refusal;
        return submission_refusal(shared_.store, *dir, sender->account, common::unix_ms_now());
    }
    std::optional<smtp::Reply> check_rcpt(const smtp::Envelope& env, std::string_view rcpt) override {
        const auto dir = shared_.store.directory();
        const auto* sender = dir->sender(env.auth_user);
        if (!sender) return std::nullopt;
        const std::string address(rcpt);
        if (dir->is_invalid(sender->account, address))
            return count_rejection("invalid_recipient"), smtp::replies::invalid_rcptto();
        // The suppression list at the account's level (the message's X-AliDM-Settings is not
        // known before DATA): docs/suppression.md.
        if (auto source = dir->suppressed(sender->account, address, env.auth_user,
                                          dir->filter_level(sender->account))) {
            if (shared_.on_suppressed)
                shared_.on_suppressed(
                    {sender->account, env.auth_user, env.mail_from, address, std::move(*source), "", ""});
            return count_rejection("suppressed_recipient"), smtp::replies::suppressed_rcptto();
        }
        if (auto refusal =
                fatigue_refusal(shared_.store, *dir, sender->account, env.auth_user, address, unix_now()))
            return refusal;
        // Quota counts mailboxes reached: a list alias counts its members.
        std::size_t reach = dir->reach(sender->account, address);
        if (reach == 0) return smtp::replies::invalid_rcptto(); // a list with no deliverable member
        for (const auto& r : env.recipients)
            reach += dir->reach(sender->account, r.address);
        return quota_reply(*dir, sender->account, static_cast<std::int64_t>(reach));
    }

    // Room for one more message's first bytes in the budget of bodies held in memory.
    std::optional<smtp::Reply> check_data(const smtp::Envelope& env) override {
        using Share = spool::InflightBudget::Share;
        if (!shared_.spool.inflight().has_room(kDataRoom, env.auth_user.empty() ? Share::open : Share::whole))
            return smtp::replies::inflight_full();
        return std::nullopt;
    }

    // The AUTH address itself, or any address on one of the account's domains.
    bool may_author(const smtp::Envelope& env, std::string_view address) override {
        if (smtp::same_mailbox(address, env.auth_user)) return true;
        const auto dir = shared_.store.directory();
        const auto* sender = dir->sender(env.auth_user);
        return sender && dir->owns_domain(sender->account, smtp::split_address(address).second);
    }

    // The AUTH address or another sender address of the same account (a null-sender bounce
    // from the account's own MTA goes to the sender address of the message it reports on).
    // Never a recipient list's alias: a null sender must not reach the list's members.
    bool owns_address(const smtp::Envelope& env, std::string_view address) override {
        const auto dir = shared_.store.directory();
        if (dir->is_alias(std::string(address))) return false;
        if (smtp::same_mailbox(address, env.auth_user)) return true;
        const auto* sender = dir->sender(env.auth_user);
        const auto* owner = dir->sender(std::string(address));
        return sender && owner && owner->account == sender->account;
    }

    // A sender address of the account owning the domain, or its postmaster@/abuse@ (RFC 2142).
    smtp::InboundRecipient inbound_recipient(std::string_view address) override {
        const auto dir = shared_.store.directory();
        const auto [local, domain] = smtp::split_address(address);
        const auto owner = dir->domains.find(common::to_lower(domain));
        if (owner == dir->domains.end()) return smtp::InboundRecipient::foreign;
        const auto* sender = dir->sender(std::string(address));
        if (sender && sender->account == owner->second) return smtp::InboundRecipient::local;
        if (common::iequals(local, "postmaster") || common::iequals(local, "abuse"))
            return smtp::InboundRecipient::local;
        return smtp::InboundRecipient::unknown_mailbox;
    }

private:
    std::optional<smtp::Reply> quota_reply(const store::Directory& dir, const std::string& account,
                                           std::int64_t adding) {
        const auto* info = dir.account(account);
        if (!info) return std::nullopt;
        return quota_refusal(
            shared_.store.quota().check(account, info->daily_quota, info->monthly_quota, adding, unix_now()));
    }

    ServerShared& shared_;
    std::string peer_ip_;
};

smtp::SessionLimits limits_for(const SmtpOptions& cfg, const Listener& l, bool have_tls) {
    smtp::SessionLimits lim = cfg.session;
    lim.starttls_available = have_tls && l.tls == TlsMode::starttls;
    lim.tls_active = l.tls == TlsMode::implicit;
    lim.auth_requires_tls = l.auth_requires_tls;
    lim.inbound = l.inbound;
    return lim;
}

void record_commit(Clock::duration took, bool ok, std::int64_t recipients) {
    auto& m = smtp_metrics();
    m.commit_seconds.observe(std::chrono::duration<double>(took).count());
    if (!ok) return m.commit_failures.add();
    m.messages.add();
    m.recipients.add(static_cast<std::uint64_t>(recipients));
}

// Members the suppression list stops are dropped and returned, for their delivery events;
// members the fatigue limit blocks for this sender are dropped (docs/accounts.md).
std::vector<store::SuppressedSend> expand_aliases(const store::Directory& dir, const std::string& account,
                                                  smtp::Envelope& env, store::Store& store) {
    std::vector<smtp::Recipient> out;
    std::vector<store::SuppressedSend> stopped;
    for (auto& r : env.recipients) {
        const auto* members = dir.alias_members(account, r.address);
        if (!members) {
            out.push_back(std::move(r));
            continue;
        }
        for (const auto& m : *members) {
            if (auto source = dir.suppressed(account, m, env.auth_user, dir.filter_level(account)))
                stopped.push_back({account, env.auth_user, env.mail_from, m, std::move(*source), "", ""});
            else if (!fatigue_refusal(store, dir, account, env.auth_user, m, unix_now()))
                out.push_back({m, r.notify, ""});
        }
    }
    env.recipients = std::move(out);
    return stopped;
}

// The level an unsubscribe through this message records ("" for no List-Unsubscribe), or the
// refusal its X-AliDM-Settings header earns (malformed, or an IP pool asked for).
std::variant<std::string, smtp::Reply> unsubscribe_ask(const store::Directory& dir,
                                                       const store::Directory::Sender& sender,
                                                       const std::string& body) {
    store::AliDmSettings settings;
    if (const auto header = smtp::find_header(body, "X-AliDM-Settings")) {
        auto parsed = store::parse_alidm_settings(*header);
        if (!parsed) return count_rejection("bad_alidm_settings"), smtp::replies::bad_alidm_settings();
        if (parsed->outbound_ip)
            return count_rejection("outbound_ip_not_offered"), smtp::replies::outbound_ip_not_offered();
        settings = std::move(*parsed);
    }
    const auto link = store::parse_link_type(settings.link_type, true);
    const auto level = store::resolve_filter_level(settings.filter_level, dir.filter_level(sender.account));
    if (!link || !level) return count_rejection("bad_alidm_settings"), smtp::replies::bad_alidm_settings();
    if (!store::wants_unsubscribe_link(*link, sender.type)) return std::string();
    return std::string(store::to_string(store::recorded_level(*level)));
}

// The tracking X-AliDM-Trace asks for (OpenTrace: opens, LinkTrace: clicks; docs/tracking.md),
// set on the envelope, or the refusal when the sender's domain may not track.
std::optional<smtp::Reply> ask_tracking(const store::Directory& dir, smtp::Envelope& env,
                                        const std::string& body) {
    const auto header = smtp::find_header(body, "X-AliDM-Trace");
    if (!header) return std::nullopt;
    const auto trace = smtp::parse_trace_header(*header);
    if (!trace.open_trace && !trace.link_trace) return std::nullopt;
    if (!dir.tracking_allowed(env.auth_user)) {
        count_rejection("tracking_not_verified");
        return smtp::replies::tracking_not_verified(
            std::string("dmtrace.").append(smtp::split_address(env.auth_user).second));
    }
    env.track_opens = trace.open_trace;
    env.track_links = trace.link_trace;
    return std::nullopt;
}

bool reaches_alias(const store::Directory& dir, const smtp::Envelope& env) {
    return std::any_of(env.recipients.begin(), env.recipients.end(),
                       [&](const smtp::Recipient& r) { return dir.is_alias(r.address); });
}

milliseconds random_delay(milliseconds max) {
    if (max.count() <= 0) return milliseconds(0);
    thread_local std::mt19937 rng{std::random_device{}()};
    std::uniform_int_distribution<std::int64_t> dist(max.count() / 4, max.count());
    return milliseconds(dist(rng));
}

// Completion of a spool commit, delivered on the connection's strand.
template <class Token>
auto async_commit(spool::Spool& spool, spool::CommitRequest req, Token&& token) {
    return asio::async_initiate<Token, void(smtp::CommitResult)>(
        [&spool](auto handler, spool::CommitRequest r) {
            auto work = asio::make_work_guard(asio::get_associated_executor(handler));
            auto shared_handler = std::make_shared<decltype(handler)>(std::move(handler));
            spool.submit(std::move(r), [shared_handler, work](smtp::CommitResult result) {
                auto ex = asio::get_associated_executor(*shared_handler);
                asio::dispatch(ex, [shared_handler, result]() mutable { (*shared_handler)(result); });
            });
        },
        token, std::move(req));
}

// The inbound handler's reply, delivered on the connection's strand.
template <class Token>
auto async_inbound(ServerShared& shared, InboundMessage msg, Token&& token) {
    return asio::async_initiate<Token, void(smtp::Reply)>(
        [&shared](auto handler, InboundMessage m) {
            auto work = asio::make_work_guard(asio::get_associated_executor(handler));
            auto shared_handler = std::make_shared<decltype(handler)>(std::move(handler));
            InboundDone done = [shared_handler, work](smtp::Reply reply) {
                auto ex = asio::get_associated_executor(*shared_handler);
                asio::dispatch(ex,
                               [shared_handler, reply]() mutable { (*shared_handler)(std::move(reply)); });
            };
            if (!shared.on_inbound) return done(smtp::replies::storage_error());
            shared.on_inbound(std::move(m), std::move(done));
        },
        token, std::move(msg));
}

// Not a coroutine on purpose: GCC 12 relocates lambda init-captures made inside coroutines
// bitwise, so capturing lambdas are built in plain functions like this one.
// A proven password stored in an old format or cost is re-hashed right away (same job).
auto verify_on_pool(asio::thread_pool& pool, store::Store& store, std::string address, std::string password,
                    std::string hash) {
    return offload(
        pool, [&store, address = std::move(address), password = std::move(password), hash = std::move(hash)] {
            try {
                const bool ok = common::verify_password(password, hash);
                if (ok && common::needs_rehash(hash, store.password_cost()) &&
                    store.upgrade_password_hash(address, hash, password))
                    spdlog::info("auth.rehash user={}", address);
                return ok;
            } catch (const std::exception& e) {
                spdlog::error("auth.check error=\"{}\"", e.what());
                return false;
            }
        });
}

// A refused MAIL, RCPT or DATA is logged with its reason (the reply text: our own catalogue).
// Logs refusals of a transaction and counts the monitor items they stand for. `session`: read
// only, for the authenticated address.
smtp::ServerSession::RefusalObserver observe_refusals(std::uint64_t sid, store::Store& store,
                                                      const smtp::ServerSession& session) {
    return [sid, &store, &session](std::string_view command, const smtp::Reply& reply) {
        if (auto item = monitor_item_of(reply)) count_monitor(store, session.auth_user(), *item);
        if (command != "MAIL" && command != "RCPT" && command != "DATA") return;
        spdlog::info("smtp.refused sid={:016x} cmd={} code={} reason=\"{}\"", sid, command, reply.code,
                     reply.text);
    };
}

// One debug line per state change of the session core. Not a coroutine (GCC 12, see above).
smtp::ServerSession::TransitionObserver trace_transitions(std::uint64_t sid) {
    return [sid](smtp::ServerSession::State from, smtp::ServerSession::State to) {
        spdlog::debug("session.state sid={:016x} from={} to={}", sid, smtp::to_string(from),
                      smtp::to_string(to));
    };
}

class Driver {
public:
    Driver(std::shared_ptr<ServerShared> shared, std::shared_ptr<Connection> conn, const Listener& listener)
        : shared_(std::move(shared))
        , conn_(std::move(conn))
        , listener_(listener)
        , policy_(*shared_, conn_->peer_ip)
        , session_(limits_for(shared_->cfg, listener, shared_->tls_context() != nullptr), policy_)
        , spill_(shared_->spool, shared_->file_pool, conn_->peer_ip)
        , deadline_(Clock::now() + shared_->cfg.session_timeout) {
        conn_->session = &session_;
        session_.observe_transitions(trace_transitions(conn_->sid));
        session_.observe_refusals(observe_refusals(conn_->sid, shared_->store, session_));
    }
    ~Driver() { conn_->session = nullptr; }

    asio::awaitable<void> run(bool refuse) {
        spdlog::info("session.connect sid={:016x} peer={} listener={}", conn_->sid, conn_->peer_ip,
                     listener_.name);
        std::string reason = "quit";
        if (listener_.tls == TlsMode::implicit && !co_await handshake()) {
            spdlog::info("session.close sid={:016x} reason=tls-handshake", conn_->sid);
            co_return;
        }
        smtp::Output out;
        if (refuse) {
            out.wire = smtp::encode(smtp::replies::too_many_connections(shared_->cfg.session.hostname),
                                    shared_->cfg.session.style);
            out.close = true;
            reason = "limit";
        } else {
            out = session_.on_connect();
        }
        conn_->socket.non_blocking(true);
        for (;;) {
            if (!co_await deliver(out)) break;
            if (!session_.in_data()) spill_.reset(); // the transaction, if any, is answered
            if (conn_->draining && !session_.in_transaction()) {
                out = session_.on_shutdown();
                reason = "shutdown";
                continue;
            }
            boost::system::error_code ec;
            const auto input = co_await read_some(ec);
            if (ec) {
                if (conn_->timed_out) {
                    out = session_.on_timeout();
                    reason = "timeout";
                    continue;
                }
                if (ec == asio::error::operation_aborted && conn_->draining) continue;
                reason = ec == asio::error::eof ? "disconnect" : "io-error";
                break;
            }
            out = session_.on_input(input);
            co_await spill_.tend(session_, out);
        }
        if (session_.closed() && reason == "disconnect") reason = "quit";
        boost::system::error_code ignored;
        if (conn_->tls) {
            conn_->timer.expires_after(std::chrono::seconds(2));
            arm_timer();
            co_await conn_->tls->async_shutdown(asio::redirect_error(asio::use_awaitable, ignored));
            conn_->timer.cancel();
        }
        conn_->socket.shutdown(tcp::socket::shutdown_both, ignored);
        conn_->socket.close(ignored);
        spdlog::info("session.close sid={:016x} reason={}", conn_->sid, reason);
    }

private:
    void arm_timer() {
        conn_->timer.async_wait([w = std::weak_ptr<Connection>(conn_)](boost::system::error_code ec) {
            if (ec) return;
            if (auto c = w.lock()) {
                c->timed_out = true;
                c->socket.cancel(ec);
            }
        });
    }

    milliseconds read_timeout() const {
        const auto per_state = session_.in_data() ? shared_->cfg.data_timeout : shared_->cfg.idle_timeout;
        const auto left = std::chrono::duration_cast<milliseconds>(deadline_ - Clock::now());
        return std::max(milliseconds(1), std::min(per_state, left));
    }

    // Waits for input and returns a view of it, valid until the next read. A plain session waits
    // without a buffer and reads into one buffer per thread, so an idle session holds no read
    // buffer at all (10,000 idle sessions in < 200 MB); TLS sessions need their own, because
    // OpenSSL may hold decrypted bytes the socket cannot signal.
    asio::awaitable<std::string_view> read_some(boost::system::error_code& ec) {
        thread_local std::string shared_buffer(64 * 1024, '\0');
        conn_->timer.expires_after(read_timeout());
        arm_timer();
        conn_->reading = true;
        std::string_view got;
        if (conn_->tls) {
            if (tls_buffer_.empty()) tls_buffer_.resize(16 * 1024);
            const auto n = co_await conn_->tls->async_read_some(
                asio::buffer(tls_buffer_), asio::redirect_error(asio::use_awaitable, ec));
            got = std::string_view(tls_buffer_.data(), n);
        } else {
            for (;;) {
                co_await conn_->socket.async_wait(tcp::socket::wait_read,
                                                  asio::redirect_error(asio::use_awaitable, ec));
                if (ec) break;
                const auto n = conn_->socket.read_some(asio::buffer(shared_buffer), ec);
                if (ec == asio::error::would_block || ec == asio::error::try_again)
                    continue; // spurious wake-up
                got = std::string_view(shared_buffer.data(), n);
                break;
            }
        }
        conn_->reading = false;
        conn_->timer.cancel();
        co_return got;
    }

    asio::awaitable<bool> write(const std::string& data) {
        count_error_replies(data);
        boost::system::error_code ec;
        conn_->timer.expires_after(std::chrono::minutes(5));
        arm_timer();
        if (conn_->tls)
            co_await asio::async_write(*conn_->tls, asio::buffer(data),
                                       asio::redirect_error(asio::use_awaitable, ec));
        else
            co_await asio::async_write(conn_->socket, asio::buffer(data),
                                       asio::redirect_error(asio::use_awaitable, ec));
        conn_->timer.cancel();
        co_return !ec;
    }

    asio::awaitable<bool> handshake() {
        auto ctx = shared_->tls_context();
        if (!ctx) co_return false;
        conn_->tls = std::make_unique<asio::ssl::stream<tcp::socket&>>(conn_->socket, *ctx);
        tls_ctx_ = std::move(ctx); // the context must outlive the stream
        boost::system::error_code ec;
        conn_->timer.expires_after(std::chrono::seconds(30));
        arm_timer();
        co_await conn_->tls->async_handshake(asio::ssl::stream_base::server,
                                             asio::redirect_error(asio::use_awaitable, ec));
        conn_->timer.cancel();
        if (ec) {
            spdlog::info("session.tls sid={:016x} result=fail error=\"{}\"", conn_->sid, ec.message());
            conn_->tls.reset();
            co_return false;
        }
        spdlog::debug("session.tls sid={:016x} version={}", conn_->sid,
                      SSL_get_version(conn_->tls->native_handle()));
        co_return true;
    }

    // Sends the output and carries out the action chain; false once the session must end.
    // Takes `pending` by reference and leaves it empty, so each output is sent exactly once
    // (GCC 12 mishandles temporaries passed by value to coroutine parameters).
    asio::awaitable<bool> deliver(smtp::Output& pending) {
        smtp::Output out = std::move(pending);
        pending = smtp::Output{};
        for (;;) {
            if (out.delay) {
                asio::steady_timer t(conn_->socket.get_executor(),
                                     random_delay(shared_->cfg.auth_failure_delay));
                boost::system::error_code ec;
                co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            }
            if (!out.wire.empty() && !co_await write(out.wire)) co_return false;
            if (out.close) co_return false;
            switch (out.action.kind) {
            case smtp::ActionKind::none:
                co_return true;
            case smtp::ActionKind::verify_credentials: {
                const auto verdict = co_await verify(out.action.credentials);
                count_auth(verdict);
                if (verdict == smtp::AuthVerdict::ok || verdict == smtp::AuthVerdict::failed)
                    count_monitor(shared_->store, out.action.credentials.username,
                                  verdict == smtp::AuthVerdict::ok ? store::MonitorItem::smtp_auth_succeeded
                                                                   : store::MonitorItem::smtp_auth_failed);
                out = session_.on_auth_result(verdict);
                break;
            }
            case smtp::ActionKind::commit_message: {
                const auto nrcpt = out.action.envelope.recipients.size();
                // A message kept whole has no file (one still held is a refused predecessor's).
                const auto size = out.action.body.size() + (out.action.chunked ? spill_.on_file() : 0);
                spool::CommitRequest req;
                req.envelope = std::move(out.action.envelope);
                // A RCPT to a recipient list's alias goes to every member (SPEC §3).
                const auto dir = shared_->store.directory();
                const auto* sender = dir->sender(req.envelope.auth_user);
                const std::string account = sender ? sender->account : "";
                // RCPT refused aliases for a null sender; an alias created since is refused here.
                if (req.envelope.mail_from.empty() && reaches_alias(*dir, req.envelope)) {
                    smtp::CommitResult refused;
                    refused.refusal = smtp::replies::null_sender_foreign_recipient();
                    out = session_.on_commit_result(refused);
                    break;
                }
                std::vector<store::SuppressedSend> stopped;
                if (sender) stopped = expand_aliases(*dir, account, req.envelope, shared_->store);
                if (sender) {
                    // X-AliDM-Settings (docs/suppression.md): read here, removed at delivery.
                    auto ask = unsubscribe_ask(*dir, *sender, out.action.headers());
                    if (auto* refusal = std::get_if<smtp::Reply>(&ask)) {
                        smtp::CommitResult refused;
                        refused.refusal = std::move(*refusal);
                        out = session_.on_commit_result(refused);
                        break;
                    }
                    req.envelope.unsubscribe = std::move(std::get<std::string>(ask));
                    if (auto refusal = ask_tracking(*dir, req.envelope, out.action.headers())) {
                        smtp::CommitResult refused;
                        refused.refusal = std::move(refusal);
                        out = session_.on_commit_result(refused);
                        break;
                    }
                }
                const auto reached = static_cast<std::int64_t>(req.envelope.recipients.size());
                // RCPT checked the quota; reserving it here, atomically, keeps concurrent sessions
                // of one account from passing it together. A session that loses the race gets
                // the quota reply instead of 250, and nothing is stored.
                const auto reserved_at = unix_now();
                const auto* info = sender ? dir->account(account) : nullptr;
                if (info) {
                    auto refusal = quota_refusal(shared_->store.quota().reserve(
                        account, info->daily_quota, info->monthly_quota, reached, reserved_at));
                    if (!refusal) {
                        refusal = reserve_submission(shared_->store, *dir, account, common::unix_ms_now());
                        if (refusal) shared_->store.quota().release(account, reached, reserved_at);
                    }
                    if (refusal) {
                        smtp::CommitResult refused;
                        refused.refusal = std::move(refusal);
                        out = session_.on_commit_result(refused);
                        break;
                    }
                }
                const auto counted =
                    info ? fatigue_recipients(*dir, account, req.envelope) : std::vector<std::string>{};
                const std::string auth_user = req.envelope.auth_user;
                if (!stopped.empty()) {
                    const auto subject = smtp::find_header(out.action.headers(), "Subject").value_or("");
                    for (auto& s : stopped)
                        s.subject = subject.substr(0, 300);
                }
                req.body = std::move(out.action.body);
                spill_.hand_to(req, out.action);
                req.peer_ip = conn_->peer_ip;
                const auto commit_started = Clock::now();
                const auto result =
                    co_await async_commit(shared_->spool, std::move(req), asio::use_awaitable);
                record_commit(Clock::now() - commit_started, result.ok, reached);
                if (!result.ok && info) shared_->store.quota().release(account, reached, reserved_at);
                if (!result.ok && info) release_submission(shared_->store, *dir, account);
                if (result.ok && info)
                    count_fatigue(shared_->store, *dir, account, auth_user, counted, unix_now());
                if (result.ok && shared_->on_committed) shared_->on_committed(result.envid);
                if (result.ok && shared_->on_suppressed)
                    for (auto& s : stopped)
                        shared_->on_suppressed(std::move(s));
                if (result.ok)
                    spdlog::info("tx.commit sid={:016x} env_id={} size={} nrcpt={}", conn_->sid, result.envid,
                                 size, nrcpt);
                else
                    spdlog::error("tx.commit sid={:016x} result=error", conn_->sid);
                out = session_.on_commit_result(result);
                break;
            }
            case smtp::ActionKind::inbound_message: {
                InboundMessage msg{std::move(out.action.envelope), std::move(out.action.body), conn_->peer_ip,
                                   conn_->sid};
                const auto reply = co_await async_inbound(*shared_, std::move(msg), asio::use_awaitable);
                out = session_.on_inbound_result(reply);
                break;
            }
            case smtp::ActionKind::start_tls:
                if (!co_await handshake()) co_return false;
                out = session_.on_tls_established();
                break;
            }
        }
    }

    // The gate decides before any check (docs/smtp.md "AUTH limits"); an unknown user or one
    // without a password is checked against a dummy hash of the same cost.
    // Lands the flight of this session's own password check, however the check ends.
    struct Landing {
        ServerShared& shared;
        std::string key;
        std::shared_ptr<PasswordFlights::Flight> flight;
        void land(PasswordFlights::Verdict verdict) {
            if (!flight) return;
            std::lock_guard lock(shared.gate_mutex);
            shared.flights.land(key, flight, verdict);
            flight.reset();
        }
        ~Landing() { land(PasswordFlights::Verdict::unchecked); }
    };

    // An AUTH the gate refused: logged, a security event, and the reply it gets.
    smtp::AuthVerdict refuse_auth(auth::Admission admission, const std::string& shown,
                                  const std::string& account) {
        const char* throttled = auth::to_string(admission);
        spdlog::info("auth.result sid={:016x} user={} result=throttled reason={}", conn_->sid, shown,
                     throttled);
        common::security_event({"auth_throttled", conn_->peer_ip, account, throttled});
        return admission == auth::Admission::ip_throttled ? smtp::AuthVerdict::throttled
                                                          : smtp::AuthVerdict::temporary_failure;
    }

    asio::awaitable<smtp::AuthVerdict> verify(smtp::Credentials creds) {
        const std::string key = smtp::mailbox_key(creds.username);
        // The user name is untrusted: log it only if it is a plausible address (no log injection).
        const std::string shown = smtp::is_valid_mailbox(key, true) ? key : std::string("<invalid>");
        const auto dir = shared_->store.directory();
        const auto* sender = dir->sender(creds.username);
        const std::string account = sender ? sender->account : "";
        const std::string hash = sender ? sender->password_hash : "";
        const char* reason = !sender ? "unknown_user" : hash.empty() ? "no_password" : "bad_password";
        // A check of this address and password already running: wait for its verdict
        // (password_flights.hpp). Else the gate admits a check of our own, unless the cache knows.
        const std::string flight_key = hash.empty() ? "" : shared_->flights.key(key, hash, creds.password);
        std::shared_ptr<PasswordFlights::Flight> following;
        Landing leading{*shared_, flight_key, nullptr};
        auth::Admission admission;
        bool ok = false;
        {
            std::lock_guard lock(shared_->gate_mutex);
            const auto now = Clock::now();
            if (!flight_key.empty()) following = shared_->flights.find(flight_key);
            if (following) {
                admission = shared_->gate.admit_waiter(conn_->peer_ip, key, now);
            } else {
                admission = shared_->gate.admit(conn_->peer_ip, key, now);
                if (admission == auth::Admission::check && !hash.empty()) {
                    ok = shared_->login_cache.matches(key, hash, creds.password);
                    if (!ok)
                        leading.flight = shared_->flights.take_off(flight_key, shared_->io.get_executor());
                }
            }
        }
        if (admission != auth::Admission::check) co_return refuse_auth(admission, shown, account);
        if (following) {
            const auto verdict = co_await following->wait();
            if (verdict == PasswordFlights::Verdict::unchecked) // its session ended first (shutdown)
                co_return smtp::AuthVerdict::temporary_failure;
            ok = verdict == PasswordFlights::Verdict::ok;
            bool counted = true; // the same wrong guess again: it costs this IP a failure, or 454
            if (!ok) {
                std::lock_guard lock(shared_->gate_mutex);
                counted = shared_->gate.count_shared_failure(conn_->peer_ip, Clock::now());
            }
            if (!counted) co_return refuse_auth(auth::Admission::ip_throttled, shown, account);
        } else {
            if (!ok) {
                // Named, not a conditional temporary inside the co_await (GCC 12 coroutine bugs).
                const std::string& checked_hash = hash.empty() ? shared_->dummy_hash : hash;
                const bool proven = co_await verify_on_pool(shared_->cpu_pool, shared_->store, key,
                                                            creds.password, checked_hash);
                ok = proven && !hash.empty();
                if (ok) shared_->login_cache.remember(key, hash, creds.password);
                leading.land(ok ? PasswordFlights::Verdict::ok : PasswordFlights::Verdict::failed);
            }
            std::lock_guard lock(shared_->gate_mutex);
            shared_->gate.finish(conn_->peer_ip, key, ok, Clock::now());
        }
        if (ok) {
            spdlog::info("auth.result sid={:016x} user={} result=ok", conn_->sid, shown);
            co_return smtp::AuthVerdict::ok;
        }
        spdlog::info("auth.result sid={:016x} user={} result=fail reason={}", conn_->sid, shown, reason);
        const std::string detail = std::string("reason=") + reason + " user=" + shown;
        common::security_event({"auth_failed", conn_->peer_ip, account, detail});
        co_return smtp::AuthVerdict::failed;
    }

    std::shared_ptr<ServerShared> shared_;
    std::shared_ptr<Connection> conn_;
    Listener listener_;
    ConnectionPolicy policy_;
    smtp::ServerSession session_;
    DataSpill spill_;
    Clock::time_point deadline_;
    std::shared_ptr<asio::ssl::context> tls_ctx_;
    std::string tls_buffer_; // allocated on the first TLS read only
};
} // namespace

asio::awaitable<void> run_smtp_connection(std::shared_ptr<ServerShared> shared,
                                          std::shared_ptr<Connection> conn, Listener listener, bool refuse) {
    smtp_metrics().connections.add();
    Driver driver(std::move(shared), std::move(conn), listener);
    co_await driver.run(refuse);
}

} // namespace mailpush::net
