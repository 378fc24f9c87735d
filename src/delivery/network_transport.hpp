// The real transport: a capture route writes the message to its directory; smarthost and MX
// routes are a coroutine on its own strand (attempt.cpp), with reused connections and one
// c-ares resolver. Private to the engine.
#pragma once

#include "connection_cache.hpp"

#include "mailpush/delivery/options.hpp"
#include "mailpush/dns/resolver.hpp"
#include "mailpush/engine/ports.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>

namespace mailpush::delivery {

class NetworkTransport : public Transport, public std::enable_shared_from_this<NetworkTransport> {
public:
    NetworkTransport(boost::asio::io_context& io, const EngineOptions& options);
    void deliver(std::shared_ptr<AttemptJob> job, std::function<void()> done) override;
    void stop() override;

private:
    boost::asio::io_context& io_;
    std::string helo_name_;
    std::uint16_t remote_port_;
    std::chrono::milliseconds connect_timeout_;
    std::chrono::milliseconds command_timeout_;
    bool allow_private_mx_;
    std::vector<std::string> require_tls_domains_;
    dns::Resolver resolver_;
    boost::asio::ssl::context client_tls_{boost::asio::ssl::context::tls_client};   // verifies nothing
    boost::asio::ssl::context verified_tls_{boost::asio::ssl::context::tls_client}; // require_tls_domains
    ConnectionCache connections_{std::chrono::seconds(2), 20, 100}; // idle 2 s, 100 messages per connection

    friend boost::asio::awaitable<void> network_attempt(std::shared_ptr<NetworkTransport> self,
                                                        std::shared_ptr<AttemptJob> job);
};

} // namespace mailpush::delivery
