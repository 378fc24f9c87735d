// State shared by the SMTP listeners and their connections (private to the net module).
#pragma once

#include "password_flights.hpp"

#include "mailpush/auth/auth_gate.hpp"
#include "mailpush/auth/login_cache.hpp"
#include "mailpush/net/smtp_options.hpp"
#include "mailpush/net/smtp_server.hpp"
#include "mailpush/smtp/server_session.hpp"
#include "mailpush/spool/spool.hpp"
#include "mailpush/store/store.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <functional>
#include <list>
#include <map>
#include <mutex>

namespace mailpush::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// One live connection, as seen by shutdown and timeouts. Touched only on its strand,
// except the registry membership (guarded by ServerShared::registry_mutex).
struct Connection : std::enable_shared_from_this<Connection> {
    Connection(tcp::socket s)
        : socket(std::move(s))
        , timer(socket.get_executor()) {}
    tcp::socket socket;
    std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls;
    asio::steady_timer timer;
    smtp::ServerSession* session = nullptr;
    bool reading = false;
    bool timed_out = false;
    bool draining = false;
    std::string peer_ip;
    std::uint64_t sid = 0;
    std::list<std::weak_ptr<Connection>>::iterator registry_entry; // for O(1) removal
};

auth::AuthGateOptions gate_options(const SmtpOptions& cfg);
std::string dummy_password_hash(const store::Store& store);

struct ServerShared {
    ServerShared(asio::io_context& io_, const SmtpOptions& cfg_, spool::Spool& spool_, store::Store& store_,
                 asio::thread_pool& cpu_, asio::thread_pool& files_)
        : io(io_)
        , cfg(cfg_)
        , spool(spool_)
        , store(store_)
        , cpu_pool(cpu_)
        , file_pool(files_)
        , gate(gate_options(cfg_))
        , dummy_hash(dummy_password_hash(store_)) {}

    asio::io_context& io;
    const SmtpOptions& cfg;
    spool::Spool& spool;
    store::Store& store;
    asio::thread_pool& cpu_pool;
    asio::thread_pool& file_pool; // writes of large messages to the spool's files (DataSpill)

    std::mutex tls_mutex;
    std::shared_ptr<asio::ssl::context> tls;
    std::shared_ptr<asio::ssl::context> tls_context() {
        std::lock_guard lock(tls_mutex);
        return tls;
    }

    auth::LoginCache login_cache;
    std::mutex gate_mutex;
    auth::AuthGate gate;     // guarded by gate_mutex
    PasswordFlights flights; // guarded by gate_mutex
    // Checked instead when the user is unknown or has no password, so a miss costs the same.
    const std::string dummy_hash;

    std::mutex registry_mutex;
    std::list<std::weak_ptr<Connection>> registry;
    std::map<std::string, unsigned> per_ip;
    unsigned total = 0;
    std::atomic<bool> draining{false};
    std::atomic<std::uint64_t> next_sid{1};

    std::function<void(std::uint64_t)> on_committed;          // hands each accepted message to delivery
    std::function<void(store::SuppressedSend)> on_suppressed; // a recipient the suppression list stopped
    InboundHandler on_inbound;                                // unauthenticated mail for local recipients

    std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
    std::vector<Listener> listener_configs;
    // One descriptor held back: at the process's descriptor limit it is closed for a moment so a
    // waiting client can be accepted, told 421 and closed instead of waiting unanswered.
    std::mutex spare_mutex;
    int spare_fd = -1;
    std::atomic<unsigned> refused_at_limit{0};      // clients told 421 so since the last log line
    std::atomic<std::int64_t> refused_logged_ms{0}; // steady clock, when that line was written
};

// Runs one SMTP session to its end. `refuse` sends the too-many-connections 421 and closes.
asio::awaitable<void> run_smtp_connection(std::shared_ptr<ServerShared> shared,
                                          std::shared_ptr<Connection> conn, Listener listener, bool refuse);

} // namespace mailpush::net
