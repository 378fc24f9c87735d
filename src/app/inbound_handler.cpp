// Inbound mail: facts in, the pure decision (src/inbound/decision.cpp), effects out. Runs on one
// strand of the blocking pool, so its delivery-log connection is used by one thread at a time.
#include "inbound_handler.hpp"

#include "mailpush/common/calendar.hpp"
#include "mailpush/common/metrics.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/inbound/decision.hpp"
#include "mailpush/smtp/command.hpp"
#include "mailpush/smtp/message_headers.hpp"
#include "mailpush/spool/spool.hpp"
#include "mailpush/store/store.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace mailpush::app {
namespace {
constexpr std::string_view kForwardedHeader = "X-Mailpush-Forwarded-For";

void count(std::string_view kind, std::string_view result) {
    metrics::registry()
        .counter("mailpush_inbound_total", "Unauthenticated inbound messages, by kind and result",
                 {{"kind", std::string(kind)}, {"result", std::string(result)}})
        .add();
}

void finish(const net::InboundMessage& m, std::string_view kind, std::string_view result, std::size_t effects,
            const smtp::Reply& reply, net::InboundDone& done) {
    count(kind, result);
    spdlog::info("inbound.result sid={:016x} peer={} rcpt={} kind={} result={} effects={} code={}", m.sid,
                 m.peer_ip, m.envelope.recipients.front().address, kind, result, effects, reply.code);
    done(reply);
}
} // namespace

InboundHandler::InboundHandler(store::Store& store, spool::Spool& spool, const std::string& delivery_db,
                               boost::asio::thread_pool& pool,
                               std::function<void(std::uint64_t)> on_committed, InboundOptions options)
    : store_(store)
    , spool_(spool)
    , log_(delivery_db)
    , strand_(boost::asio::make_strand(pool))
    , on_committed_(std::move(on_committed))
    , options_(std::move(options)) {}

void InboundHandler::handle(net::InboundMessage message, net::InboundDone done) {
    boost::asio::post(strand_, [this, m = std::move(message), d = std::move(done)]() mutable {
        try {
            process(m, d);
        } catch (const std::exception& e) {
            spdlog::error("inbound.error sid={:016x} error=\"{}\"", m.sid, e.what());
            count("unknown", "error");
            d(smtp::replies::storage_error());
        }
    });
}

void InboundHandler::process(net::InboundMessage& m, net::InboundDone& done) {
    const auto parsed = inbound::parse_message(m.body);
    const std::string kind(inbound::to_string(parsed.kind));
    const auto dir = store_.directory();
    const std::string local = common::to_lower(m.envelope.recipients.front().address);
    const auto owner = dir->domains.find(common::to_lower(smtp::split_address(local).second));
    if (owner == dir->domains.end()) // the domain left its account since RCPT
        return finish(m, kind, "unmatched", 0, smtp::replies::auth_required(), done);
    inbound::InboundFacts facts{parsed,
                                local,
                                owner->second,
                                "",
                                false,
                                {},
                                false,
                                common::unix_ms_now(),
                                options_.event_utc_offset_minutes};
    if (const auto* sender = dir->sender(local);
        sender && sender->account == owner->second && sender->account_active)
        facts.reply_to = sender->reply_to;
    facts.already_forwarded = smtp::find_header(m.body, kForwardedHeader).has_value();

    // The original message: our envid (ENVID), else the Message-ID index.
    const auto keys = inbound::lookup_keys(parsed);
    std::vector<std::uint64_t> candidates;
    if (keys.envid) candidates.push_back(*keys.envid);
    if (!keys.message_id.empty())
        for (const auto e : log_.envids_by_message_id(keys.message_id))
            if (!keys.envid || e != *keys.envid) candidates.push_back(e);
    const auto reported = inbound::reported_recipients(parsed);
    for (const auto& rcpt : reported) {
        std::optional<delivery::SentRecipient> found;
        for (const auto envid : candidates) {
            found = log_.sent_recipient(envid, rcpt);
            if (found && found->report.account == facts.local_account) break;
        }
        facts.originals.push_back(std::move(found));
    }
    if (parsed.kind == inbound::Kind::feedback_report && !reported.empty())
        facts.reported_had_mail = log_.had_mail(facts.local_account, reported.front());

    const auto decision = inbound::decide(facts);
    if (!decision.forward_to.empty()) return forward(m, decision.forward_to, done, kind);
    // Effects first, the reply after: 250 only once they are committed.
    if (!decision.updates.empty()) log_.apply(decision.updates);
    for (const auto& address : decision.hard_bounces)
        if (log_.add_hard_bounce(facts.local_account, address) >=
            static_cast<int>(options_.invalid_address_threshold))
            store_.add_invalid(facts.local_account, address, "SmtpNxBox");
    if (!decision.suppress.empty())
        store_.add_suppression(facts.local_account, decision.suppress, store::kSourceComplaint, "",
                               common::unix_seconds_now());
    for (const auto& u : decision.updates)
        spdlog::info("inbound.effect sid={:016x} kind={} env_id={} rcpt={} status={} failed_type={}", m.sid,
                     kind, u.record.envid, u.record.address, u.record.status, u.record.failed_type);
    if (!decision.suppress.empty())
        spdlog::info("inbound.effect sid={:016x} kind={} suppressed={} account={}", m.sid, kind,
                     decision.suppress, facts.local_account);
    finish(m, kind, decision.result, decision.updates.size() + (decision.suppress.empty() ? 0 : 1),
           decision.reply, done);
}

// A copy from the local address to its verified reply-to, through the same spool commit as SMTP
// submissions (the spool adds our Received: header); the sender's message is otherwise unchanged.
// No AUTH user: the copy is not the account's own mail, so it is never DKIM-signed with the
// account's keys (its From: is whatever the stranger wrote) and counts toward no quota or report.
void InboundHandler::forward(net::InboundMessage& m, const std::string& to, net::InboundDone& done,
                             const std::string& kind) {
    const std::string local = m.envelope.recipients.front().address;
    smtp::Envelope env;
    env.mail_from = local;
    env.auth_user = "";
    env.recipients.push_back({to, "", ""});
    env.body_type = m.envelope.body_type;
    env.smtputf8 = m.envelope.smtputf8;
    env.tls = m.envelope.tls;
    env.helo = m.envelope.helo;
    std::string body = std::string(kForwardedHeader) + ": <" + local + ">\r\n" + m.body;
    auto on_committed = on_committed_;
    spool_.submit({std::move(env), std::move(body), m.peer_ip, nullptr, {}},
                  [m, done, kind, on_committed](smtp::CommitResult r) mutable {
                      if (r.ok && on_committed) on_committed(r.envid);
                      finish(m, kind, r.ok ? "forward" : "error", r.ok ? 1 : 0,
                             r.ok ? smtp::replies::queued(r.envid) : smtp::replies::storage_error(), done);
                  });
}

} // namespace mailpush::app
