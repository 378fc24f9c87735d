// SMTP listeners: accept loops, connection limits (total and per client IP), the session
// registry used for graceful shutdown. Each connection runs the sans-I/O core through the
// coroutine driver in smtp_connection.cpp. Talks to untrusted clients.
#pragma once

#include "mailpush/net/smtp_options.hpp"
#include "mailpush/store/suppression.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mailpush::spool {
class Spool;
}
namespace mailpush::store {
class Store;
}

namespace mailpush::net {

struct ServerShared; // private state shared by listeners and connections

// An unauthenticated message for one local recipient (docs/inbound.md), for the inbound handler.
struct InboundMessage {
    smtp::Envelope envelope; // auth_user empty, exactly one recipient
    std::string body;
    std::string peer_ip;
    std::uint64_t sid = 0;
};
// Called on a session's strand; must not block, and must call `done` exactly once (from any
// thread) with the reply the client gets: 250 only once the message's effect is durable.
using InboundDone = std::function<void(smtp::Reply)>;
using InboundHandler = std::function<void(InboundMessage, InboundDone)>;

class SmtpServer {
public:
    SmtpServer(boost::asio::io_context& io, const SmtpOptions& options, spool::Spool& spool,
               store::Store& store, boost::asio::thread_pool& cpu_pool,
               std::shared_ptr<boost::asio::ssl::context> tls);
    ~SmtpServer();

    // Binds every [[listener]]; returns "listening name=.. kind=.. addr=ip:port" lines (port 0 resolved).
    std::vector<std::string> listen();
    void start();
    void begin_shutdown(); // stop accepting; idle sessions get 421, busy ones finish first
    void force_close();    // end of the grace period: close everything
    std::size_t active_sessions() const;
    void set_tls_context(std::shared_ptr<boost::asio::ssl::context> tls); // SIGHUP reload
    // Called (on a session's strand) with the envid of every message acknowledged with 250.
    void set_commit_listener(std::function<void(std::uint64_t)> listener);
    // Called (on a session's strand) for every recipient the suppression list stopped: a refused
    // RCPT, or a list alias's member dropped from a message acknowledged with 250.
    void set_suppression_listener(std::function<void(store::SuppressedSend)> listener);
    // Inbound mail on listeners with `inbound` (set before start). Without one: 451, nothing kept.
    void set_inbound_handler(InboundHandler handler);

private:
    std::unique_ptr<boost::asio::thread_pool> file_pool_; // outlives shared_'s users' work
    std::shared_ptr<ServerShared> shared_;
};

} // namespace mailpush::net
