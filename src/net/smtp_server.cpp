// Listeners, connection limits and the shutdown sequence.
#include "mailpush/net/smtp_server.hpp"

#include "server_shared.hpp"

#include "mailpush/common/password_hash.hpp"
#include "mailpush/common/random.hpp"
#include "mailpush/net/listen.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mailpush::net {

auth::AuthGateOptions gate_options(const SmtpOptions& cfg) {
    auth::AuthGateOptions o;
    o.failures_per_ip = cfg.auth_failures_per_ip;
    o.ip_window = cfg.auth_failure_window;
    o.concurrent_per_ip = cfg.auth_concurrent_per_ip;
    o.failures_per_address = cfg.auth_failures_per_address;
    o.address_window = cfg.auth_address_window;
    return o;
}

std::string dummy_password_hash(const store::Store& store) {
    return common::hash_password(common::random_token(24), store.password_cost());
}

SmtpServer::SmtpServer(asio::io_context& io, const SmtpOptions& options, spool::Spool& spool,
                       store::Store& store, asio::thread_pool& cpu_pool,
                       std::shared_ptr<asio::ssl::context> tls)
    : file_pool_(std::make_unique<asio::thread_pool>(2))
    , shared_(std::make_shared<ServerShared>(io, options, spool, store, cpu_pool, *file_pool_)) {
    shared_->tls = std::move(tls);
}

SmtpServer::~SmtpServer() {
    std::lock_guard lock(shared_->spare_mutex);
    if (shared_->spare_fd >= 0) ::close(shared_->spare_fd);
    shared_->spare_fd = -1;
}

std::vector<std::string> SmtpServer::listen() {
    std::vector<std::string> lines;
    for (const auto& l : shared_->cfg.listeners) {
        auto acc = std::make_unique<tcp::acceptor>(shared_->io);
        open_listener(*acc, l.name, l.address, l.port, 1024);
        const auto bound = acc->local_endpoint();
        const char* kind = l.tls == TlsMode::implicit   ? "implicit-tls"
                           : l.tls == TlsMode::starttls ? "starttls"
                                                        : "plain";
        lines.push_back("listening name=" + l.name + " kind=" + kind +
                        " addr=" + bound.address().to_string() + ":" + std::to_string(bound.port()));
        shared_->acceptors.push_back(std::move(acc));
        shared_->listener_configs.push_back(l);
    }
    return lines;
}

namespace {
// At the descriptor limit (EMFILE, ENFILE): frees the spare descriptor, accepts one waiting
// client, sends it the too-many-connections 421 (an implicit-TLS client is only closed: it
// expects a handshake) and closes it. Non-blocking throughout: the loop never waits here.
// Returns whether a client was answered.
bool refuse_at_descriptor_limit(ServerShared& shared, tcp::acceptor& acceptor, bool implicit_tls) {
    std::lock_guard lock(shared.spare_mutex);
    if (shared.spare_fd < 0) return false;
    ::close(shared.spare_fd);
    shared.spare_fd = -1;
    bool answered = false;
    const int fd = ::accept4(acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0 && implicit_tls) {
        ::close(fd);
        answered = true;
    } else if (fd >= 0) {
        const auto wire = smtp::encode(smtp::replies::too_many_connections(shared.cfg.session.hostname),
                                       shared.cfg.session.style);
        [[maybe_unused]] const auto sent = ::send(fd, wire.data(), wire.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        ::close(fd);
        answered = true;
    }
    shared.spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    return answered;
}

asio::awaitable<void> accept_loop(std::shared_ptr<ServerShared> shared, std::size_t index) {
    auto& acceptor = *shared->acceptors[index];
    const auto listener = shared->listener_configs[index];
    for (;;) {
        boost::system::error_code ec;
        tcp::socket socket(asio::make_strand(shared->io));
        co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        if ((ec == asio::error::no_descriptors || ec.value() == ENFILE) &&
            refuse_at_descriptor_limit(*shared, acceptor, listener.tls == TlsMode::implicit)) {
            // One line per second at most under a flood: how many since the last.
            const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now().time_since_epoch())
                                    .count();
            ++shared->refused_at_limit;
            auto last = shared->refused_logged_ms.load();
            if (now_ms - last >= 1000 && shared->refused_logged_ms.compare_exchange_strong(last, now_ms))
                spdlog::warn("accept.refused listener={} reason=descriptors clients={}", listener.name,
                             shared->refused_at_limit.exchange(0));
            continue;
        }
        if (ec) { // anything else: back off briefly instead of spinning
            spdlog::warn("accept.error listener={} error=\"{}\"", listener.name, ec.message());
            asio::steady_timer t(acceptor.get_executor(), std::chrono::milliseconds(100));
            co_await t.async_wait(asio::use_awaitable);
            continue;
        }
        {
            std::lock_guard lock(shared->spare_mutex); // an earlier re-open found no descriptor free
            if (shared->spare_fd < 0) shared->spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        }
        socket.set_option(tcp::no_delay(true), ec);
        const auto peer = socket.remote_endpoint(ec);
        if (ec) continue;
        auto conn = std::make_shared<Connection>(std::move(socket));
        conn->peer_ip = peer.address().to_string();
        conn->sid = shared->next_sid++;
        bool refuse = false;
        {
            std::lock_guard lock(shared->registry_mutex);
            auto& n = shared->per_ip[conn->peer_ip];
            refuse = shared->total >= shared->cfg.max_connections || n >= shared->cfg.max_connections_per_ip;
            ++n;
            ++shared->total;
            conn->registry_entry = shared->registry.insert(shared->registry.end(), conn);
        }
        auto executor = conn->socket.get_executor();
        asio::co_spawn(executor, run_smtp_connection(shared, conn, listener, refuse),
                       [shared, conn](std::exception_ptr e) {
                           if (e) {
                               try {
                                   std::rethrow_exception(e);
                               } catch (const std::exception& ex) {
                                   spdlog::error("session.crash sid={:016x} error=\"{}\"", conn->sid,
                                                 ex.what());
                               }
                           }
                           std::lock_guard lock(shared->registry_mutex);
                           if (--shared->per_ip[conn->peer_ip] == 0) shared->per_ip.erase(conn->peer_ip);
                           --shared->total;
                           shared->registry.erase(conn->registry_entry);
                       });
    }
}
} // namespace

void SmtpServer::start() {
    {
        std::lock_guard lock(shared_->spare_mutex);
        if (shared_->spare_fd < 0) shared_->spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    for (std::size_t i = 0; i < shared_->acceptors.size(); ++i)
        asio::co_spawn(shared_->acceptors[i]->get_executor(), accept_loop(shared_, i), asio::detached);
}

void SmtpServer::begin_shutdown() {
    shared_->draining = true;
    for (auto& a : shared_->acceptors) {
        boost::system::error_code ec;
        a->close(ec);
    }
    std::lock_guard lock(shared_->registry_mutex);
    for (auto& w : shared_->registry) {
        auto c = w.lock();
        if (!c) continue;
        asio::post(c->socket.get_executor(), [c] {
            c->draining = true;
            // Wake only sessions waiting between transactions; busy ones notice at the next read.
            if (c->reading && c->session && !c->session->in_transaction()) {
                boost::system::error_code ec;
                c->socket.cancel(ec);
            }
        });
    }
}

void SmtpServer::force_close() {
    std::lock_guard lock(shared_->registry_mutex);
    for (auto& w : shared_->registry) {
        auto c = w.lock();
        if (!c) continue;
        asio::post(c->socket.get_executor(), [c] {
            boost::system::error_code ec;
            c->socket.shutdown(tcp::socket::shutdown_both, ec);
            c->socket.close(ec);
        });
    }
}

std::size_t SmtpServer::active_sessions() const {
    std::lock_guard lock(shared_->registry_mutex);
    return shared_->total;
}

void SmtpServer::set_tls_context(std::shared_ptr<asio::ssl::context> tls) {
    std::lock_guard lock(shared_->tls_mutex);
    shared_->tls = std::move(tls);
}

} // namespace mailpush::net

namespace mailpush::net {
void SmtpServer::set_commit_listener(std::function<void(std::uint64_t)> listener) {
    shared_->on_committed = std::move(listener);
}
void SmtpServer::set_suppression_listener(std::function<void(store::SuppressedSend)> listener) {
    shared_->on_suppressed = std::move(listener);
}
void SmtpServer::set_inbound_handler(InboundHandler handler) {
    shared_->on_inbound = std::move(handler);
}
} // namespace mailpush::net
