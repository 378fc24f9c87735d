// One delivery attempt: a message to the recipients of one destination, over one route.
// Private to the engine.
#pragma once

#include "mailpush/delivery/attempt_job.hpp"
#include "mailpush/dns/resolver.hpp"
#include "mailpush/smtp/client_session.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace mailpush::delivery {

class ConnectionCache;

struct AttemptContext {
    boost::asio::any_io_executor executor; // new connections get their own strand of it
    ConnectionCache& cache;
    dns::Resolver& resolver;
    boost::asio::ssl::context& client_tls; // verifying (tls_verify.hpp) when require_tls
    std::string helo_name;
    std::uint16_t remote_port;
    std::chrono::milliseconds connect_timeout;
    std::chrono::milliseconds command_timeout;
    bool allow_private_mx; // false: MX addresses outside the global address space are skipped
    bool require_tls;      // the recipient domain is in require_tls_domains: never deliver in plain text
};

// Fills job.replies and job.host_used. Never throws: every failure becomes a reply
// (524/526/423 for DNS, 524 too when every MX address is refused as not global, 427 when no
// host could be reached, the remote's own otherwise). A host whose STARTTLS handshake fails is
// tried again on a new plain-text connection unless ctx.require_tls (delivery::after_tls_failure).
boost::asio::awaitable<void> run_attempt(AttemptContext& ctx, AttemptJob& job);

// Capture route: writes the message durably into the directory; returns the reply to record.
smtp::ServerReply capture_message(const std::string& dir, const AttemptJob& job);

} // namespace mailpush::delivery
