// Delivery attempts over the network: MX or smarthost, fallback to the next host on a
// connection or session failure (RFC 5321 §5.1), opportunistic STARTTLS without verification
// (as MTAs do) except for require_tls_domains (chain and host name, tls_verify.hpp),
// per-operation timeouts on beast::tcp_stream.
#include "attempt.hpp"

#include "connection_cache.hpp"
#include "tls_verify.hpp"

#include "mailpush/common/address_scope.hpp"
#include "mailpush/common/durable_file.hpp"
#include "mailpush/common/metrics.hpp"
#include "mailpush/delivery/classifier.hpp"
#include "mailpush/delivery/tls_policy.hpp"
#include "mailpush/engine/delivery_signing.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>

namespace mailpush::delivery {
namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

namespace {
smtp::ServerReply reply(int code, std::string text) {
    return smtp::ServerReply{code, text, {text}};
}
smtp::ServerReply product(const ProductReply& p) {
    return reply(p.code, p.text);
}

// One debug line per state change of the client core. Not a coroutine (GCC 12).
smtp::ClientSession::TransitionObserver trace_transitions(std::string host) {
    return [host = std::move(host)](smtp::ClientSession::State from, smtp::ClientSession::State to) {
        spdlog::debug("delivery.state host={} from={} to={}", host, smtp::to_string(from),
                      smtp::to_string(to));
    };
}

// A destination that requires TLS gets nothing over a connection without it.
smtp::ServerReply tls_not_established(const OpenConnection& c) {
    return reply(451, "4.7.4 TLS is required for this destination but was not established with " + c.name);
}

void count_tls_fallback() {
    static auto& fallbacks =
        metrics::registry().counter("mailpush_delivery_tls_fallback_total",
                                    "Hosts retried in plain text after a failed STARTTLS handshake");
    fallbacks.add();
}

struct Target {
    std::string name; // for the log
    asio::ip::address address;
};

asio::awaitable<void> send(OpenConnection& c, const std::string& wire, boost::system::error_code& ec,
                           std::chrono::milliseconds timeout) {
    c.stream.expires_after(timeout);
    if (c.tls)
        co_await asio::async_write(*c.tls, asio::buffer(wire), asio::redirect_error(asio::use_awaitable, ec));
    else
        co_await asio::async_write(c.stream, asio::buffer(wire),
                                   asio::redirect_error(asio::use_awaitable, ec));
}

// Drives one transaction on `c` (a fresh connection: from the greeting on; a cached one: from
// MAIL). Runs on the connection's own strand. True with job.replies filled if the server
// answered the transaction; false with `failure` set if this connection cannot be used.
// The session borrows the job's message (no copy of its body): the job outlives the transaction.
asio::awaitable<bool> transact(AttemptContext& ctx, OpenConnection& c, AttemptJob& job, bool reused,
                               smtp::ServerReply& failure) {
    boost::system::error_code ec;
    std::string buf(16 * 1024, '\0');
    bool submitted = reused;
    if (reused && ctx.require_tls && !c.tls_verified) {
        failure = tls_not_established(c);
        co_return false;
    }
    smtp::ClientStep step = reused ? c.session.submit_borrowed(outbound_for(job, c.session.offers_8bitmime()))
                                   : smtp::ClientStep{};
    const auto write_timeout =
        std::min<std::chrono::milliseconds>(smtp::ClientSession::data_block_timeout, ctx.command_timeout);
    for (;;) {
        // Send what the core asked for, perform TLS, submit once ready.
        for (int rounds = 0; rounds < 4; ++rounds) {
            if (!step.wire.empty()) {
                co_await send(c, step.wire, ec, write_timeout);
                if (ec) {
                    failure = reply(421, "4.4.2 connection lost while sending to " + c.name);
                    co_return false;
                }
            }
            if (step.result) {
                for (std::size_t i = 0; i < job.replies.size(); ++i) {
                    const auto& rr = step.result->rcpt_replies.at(i);
                    job.replies[i] = (rr.code / 100 == 2) ? step.result->final_reply : rr;
                }
                job.host_used = c.name;
                ++c.transactions;
                co_return true;
            }
            if (step.closed) {
                failure = *step.closed;
                co_return false;
            }
            if (step.start_tls) {
                c.tls = std::make_unique<asio::ssl::stream<beast::tcp_stream&>>(c.stream, ctx.client_tls);
                // SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.
                const std::string sni = c.name.substr(0, c.name.find('['));
                SSL_ctrl(c.tls->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                         const_cast<char*>(sni.c_str()));
                if (ctx.require_tls) expect_peer_name(c.tls->native_handle(), sni);
                c.stream.expires_after(ctx.command_timeout);
                co_await c.tls->async_handshake(asio::ssl::stream_base::client,
                                                asio::redirect_error(asio::use_awaitable, ec));
                if (ec) {
                    c.tls_error = ec.message();
                    // A required destination's reply says why (e.g. certificate verify failed).
                    std::string text = "4.7.0 TLS handshake with " + c.name + " failed";
                    if (ctx.require_tls) text += ": " + c.tls_error;
                    failure = reply(421, text);
                    co_return false;
                }
                c.tls_verified = ctx.require_tls;
                step = c.session.on_tls_established();
                continue;
            }
            if (step.ready && !submitted) {
                if (ctx.require_tls && !c.tls) {
                    failure = tls_not_established(c);
                    co_return false;
                }
                submitted = true;
                step = c.session.submit_borrowed(outbound_for(job, c.session.offers_8bitmime()));
                continue;
            }
            break;
        }
        c.stream.expires_after(
            std::min<std::chrono::milliseconds>(c.session.reply_timeout(), ctx.command_timeout));
        std::size_t n = 0;
        if (c.tls)
            n = co_await c.tls->async_read_some(asio::buffer(buf),
                                                asio::redirect_error(asio::use_awaitable, ec));
        else
            n = co_await c.stream.async_read_some(asio::buffer(buf),
                                                  asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            failure = ec == beast::error::timeout ? reply(421, "4.4.2 timeout waiting for " + c.name)
                                                  : reply(421, "4.4.2 connection lost with " + c.name);
            co_return false;
        }
        step = c.session.on_input(std::string_view(buf.data(), n));
    }
}

// Runs transact() on the connection's strand and waits for it. Not a coroutine (GCC 12).
auto transact_on_strand(AttemptContext& ctx, OpenConnection& c, AttemptJob& job, bool reused,
                        smtp::ServerReply& failure) {
    return asio::co_spawn(c.stream.get_executor(), transact(ctx, c, job, reused, failure),
                          asio::use_awaitable);
}

asio::awaitable<std::vector<Target>> targets_for(AttemptContext& ctx, AttemptJob& job,
                                                 smtp::ServerReply& dns_failure) {
    std::vector<Target> out;
    if (job.route.kind == RouteTarget::Kind::smarthost) {
        boost::system::error_code ec;
        const auto ip = asio::ip::make_address(job.route.host, ec);
        if (!ec) {
            out.push_back({job.route.host, ip});
            co_return out;
        }
        const auto a = co_await ctx.resolver.resolve_addresses(job.route.host);
        for (const auto& s : a.addresses)
            out.push_back({job.route.host, asio::ip::make_address(s)});
        if (out.empty())
            dns_failure = a.outcome == dns::Outcome::temporary ? product(kDnsError) : product(kDnsNotFound);
        co_return out;
    }
    const auto mx = co_await ctx.resolver.resolve_mx(job.domain);
    switch (mx.outcome) {
    case dns::Outcome::ok:
        break;
    case dns::Outcome::nxdomain:
        dns_failure = product(kDnsNotFound);
        co_return out;
    case dns::Outcome::nodata:
        dns_failure = product(kDnsNoData);
        co_return out;
    case dns::Outcome::null_mx:
        dns_failure = reply(556, "5.1.10 Recipient address has null MX");
        co_return out;
    case dns::Outcome::temporary:
        dns_failure = product(kDnsError);
        co_return out;
    }
    bool temporary = false;
    std::string refused; // the first address skipped as not global, for the reply
    for (const auto& h : mx.hosts) {
        const auto a = co_await ctx.resolver.resolve_addresses(h.name);
        temporary = temporary || a.outcome == dns::Outcome::temporary;
        for (const auto& s : a.addresses) {
            // Checked on the address the connection will use: no second lookup to rebind.
            const auto scope = common::address_scope(s);
            if (!ctx.allow_private_mx && scope != common::AddressScope::global) {
                spdlog::warn("delivery.mx_refused domain={} host={} ip={} scope=\"{}\"", job.domain, h.name,
                             s, common::scope_name(scope));
                if (refused.empty())
                    refused = h.name + " [" + s + "] is " + std::string(common::scope_name(scope));
                continue;
            }
            out.push_back({h.name, asio::ip::make_address(s)});
        }
    }
    if (out.empty())
        dns_failure = temporary         ? product(kDnsError)
                      : refused.empty() ? product(kDnsNotFound)
                                        : reply(kDnsNotFound.code, std::string(kDnsNotFound.text) + ": " +
                                                                       refused + ", not a global address");
    co_return out;
}
} // namespace

smtp::ServerReply capture_message(const std::string& dir, const AttemptJob& job) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(dir, ec);
    const auto name = std::to_string(job.envid) + "." + job.domain + ".eml";
    const auto final_path = fs::path(dir) / name;
    std::string content = "X-Mailpush-Envelope-From: <" + job.message.mail_from + ">\r\n";
    for (const auto& r : job.message.recipients)
        content += "X-Mailpush-Envelope-To: <" + r + ">\r\n";
    content += job.message.body;
    // A hidden temporary name: readers of the directory see only whole messages.
    const common::DurableWriteOptions hidden_temp{0644, "", "." + name + ".tmp"};
    if (common::write_file_durably(final_path, content, hidden_temp))
        return reply(451, "4.3.0 cannot write to the capture directory " + dir);
    return reply(250, "2.0.0 captured as " + final_path.string());
}

asio::awaitable<void> run_attempt(AttemptContext& ctx, AttemptJob& job) {
    job.replies.assign(job.message.recipients.size(), product(kConnectFailed));
    smtp::ServerReply failure = product(kConnectFailed);
    // A connection left open by an earlier message to this destination comes first.
    auto cached = ctx.cache.take(job.cache_key);
    if (cached && ctx.require_tls && !cached->tls_verified) // another domain's unverified one: left for it
        ctx.cache.put(job.cache_key, std::move(cached));
    if (cached) {
        smtp::ServerReply ignored; // a dead cached connection is not this message's failure
        if (co_await transact_on_strand(ctx, *cached, job, true, ignored)) {
            ctx.cache.put(job.cache_key, std::move(cached), job.max_messages_per_connection);
            co_return;
        }
        boost::system::error_code ec;
        cached->stream.socket().close(ec);
    }
    const auto targets = co_await targets_for(ctx, job, failure);
    const std::uint16_t port =
        job.route.kind == RouteTarget::Kind::smarthost ? job.route.port : ctx.remote_port;
    for (const auto& t : targets) {
        // With STARTTLS first; after a failed handshake at most once more in plain text.
        bool plain = false;
        for (int round = 0; round < 2; ++round) {
            auto conn = std::make_shared<OpenConnection>(asio::make_strand(ctx.executor),
                                                         smtp::ClientOptions{ctx.helo_name, !plain});
            conn->name = t.name + "[" + t.address.to_string() + "]:" + std::to_string(port);
            conn->session.observe_transitions(trace_transitions(conn->name));
            job.host_used = conn->name;
            boost::system::error_code ec;
            conn->stream.expires_after(ctx.connect_timeout);
            co_await conn->stream.async_connect(tcp::endpoint(t.address, port),
                                                asio::redirect_error(asio::use_awaitable, ec));
            if (ec) {
                failure = product(kConnectFailed);
                break;
            }
            smtp::ServerReply this_failure;
            if (co_await transact_on_strand(ctx, *conn, job, false, this_failure)) {
                ctx.cache.put(job.cache_key, std::move(conn), job.max_messages_per_connection);
                co_return;
            }
            conn->stream.socket().close(ec);
            failure = this_failure;
            const bool handshake_failed = !conn->tls_error.empty();
            if (after_tls_failure(handshake_failed, plain, ctx.require_tls) != AfterTlsFailure::retry_plain) {
                if (handshake_failed)
                    spdlog::warn("delivery.tls_required host={} error=\"{}\" domain={}", conn->name,
                                 conn->tls_error, job.domain);
                break;
            }
            spdlog::warn("delivery.tls_fallback host={} error=\"{}\" domain={}", conn->name, conn->tls_error,
                         job.domain);
            count_tls_fallback();
            plain = true;
        }
    }
    job.replies.assign(job.message.recipients.size(), failure);
    if (targets.empty())
        job.host_used = job.route.kind == RouteTarget::Kind::smarthost ? job.route.host : "dns:" + job.domain;
}

} // namespace mailpush::delivery
