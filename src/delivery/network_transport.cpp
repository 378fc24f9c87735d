#include "network_transport.hpp"

#include "attempt.hpp"
#include "tls_verify.hpp"

#include "mailpush/delivery/tls_policy.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/strand.hpp>

namespace mailpush::delivery {
namespace asio = boost::asio;

NetworkTransport::NetworkTransport(asio::io_context& io, const EngineOptions& options)
    : io_(io)
    , helo_name_(options.hostname)
    , remote_port_(options.remote_port)
    , connect_timeout_(options.connect_timeout)
    , command_timeout_(options.command_timeout)
    , allow_private_mx_(options.allow_private_mx)
    , require_tls_domains_(options.require_tls_domains)
    , resolver_(io.get_executor(), dns::ResolverOptions{options.dns_servers, std::chrono::seconds(5), 2,
                                                        std::chrono::seconds(60)}) {
    client_tls_.set_verify_mode(asio::ssl::verify_none); // opportunistic TLS, as MTAs do (RFC 7435)
    make_verifying(verified_tls_, options.tls_ca_file);  // require_tls_domains
}

asio::awaitable<void> network_attempt(std::shared_ptr<NetworkTransport> self,
                                      std::shared_ptr<AttemptJob> job) {
    const bool require_tls = tls_required(job->domain, self->require_tls_domains_);
    auto& tls = require_tls ? self->verified_tls_ : self->client_tls_;
    AttemptContext ctx{
        self->io_.get_executor(), self->connections_, self->resolver_,        tls,
        self->helo_name_,         self->remote_port_, self->connect_timeout_, self->command_timeout_,
        self->allow_private_mx_,  require_tls};
    co_await run_attempt(ctx, *job);
}

void NetworkTransport::deliver(std::shared_ptr<AttemptJob> job, std::function<void()> done) {
    if (job->route.kind == RouteTarget::Kind::capture) { // file I/O: we are on the blocking pool
        job->replies.assign(job->message.recipients.size(), capture_message(job->route.host, *job));
        job->host_used = "capture:" + job->route.host;
        done();
        return;
    }
    auto self = shared_from_this();
    asio::co_spawn(asio::make_strand(io_), network_attempt(self, job),
                   [job, done = std::move(done)](std::exception_ptr e) {
                       if (e)
                           job->replies.assign(job->message.recipients.size(),
                                               smtp::ServerReply{421, "4.3.0 internal error", {}});
                       done();
                   });
}

void NetworkTransport::stop() {
    connections_.clear();
}

} // namespace mailpush::delivery
