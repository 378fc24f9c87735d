#include "mailpush/api/http_server.hpp"

#include "mailpush/api/admin_api.hpp"
#include "mailpush/api/body_pace.hpp"
#include "mailpush/api/console.hpp"
#include "mailpush/api/tracking_endpoints.hpp"
#include "mailpush/common/calendar.hpp"
#include "mailpush/common/client_origin.hpp"
#include "mailpush/common/metrics.hpp"
#include "mailpush/common/url.hpp"
#include "mailpush/net/listen.hpp"
#include "mailpush/net/offload.hpp"
#include "mailpush/openapi/openapi.hpp"
#include "mailpush/spool/inflight_budget.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <sys/stat.h>
#include <type_traits>

namespace mailpush::api {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using local = asio::local::stream_protocol;
using unix_stream = beast::basic_stream<local>;

namespace {

constexpr unsigned kMaxRequestsPerConnection = 1000; // keep-alive is bounded too
constexpr std::size_t kHeaderLimit = 16 * 1024;

metrics::Counter& counter(const char* name, const char* help) {
    return metrics::registry().counter(name, help);
}

ApiResponse json_error(unsigned status, std::string_view code, std::string_view message) {
    return {status, fmt::format(R"({{"error":{{"code":"{}","message":"{}"}}}})", code, message)};
}

bool is_console_path(std::string_view path) {
    return path == "/console" || path.starts_with("/console/");
}

template <class Stream>
auto& lowest(Stream& s) {
    return beast::get_lowest_layer(s);
}

} // namespace

struct HttpServer::Impl : std::enable_shared_from_this<Impl> {
    struct Listener {
        HttpListener spec;
        std::unique_ptr<tcp::acceptor> tcp_acceptor;
        std::unique_ptr<local::acceptor> unix_acceptor;
    };

    // The connections one audience may hold. Each audience has its own, so clients of the public
    // listener, however many, never take the operator's.
    struct Budget {
        unsigned max;
        // Shared with the sessions: a session frame still pending when the server is gone is
        // destroyed with the io_context, later, and its guard must not touch freed memory.
        std::shared_ptr<std::atomic<unsigned>> active;
        std::shared_ptr<PeerConnections> peers; // each audience counts its own connections per IP
    };

    Impl(asio::io_context& io_, const HttpOptions& options_, const AdminOptions& admin_options,
         AdminApi& api_, openapi::OpenApi* open_api_, const Pools& pools_)
        : io(io_)
        , options(options_)
        , metrics_public(admin_options.metrics_public)
        , api(api_)
        , open_api(open_api_)
        , pools(pools_)
        , public_budget{options_.max_connections, std::make_shared<std::atomic<unsigned>>(0),
                        std::make_shared<PeerConnections>(options_.max_connections_per_ip)}
        , admin_budget{admin_options.max_connections, std::make_shared<std::atomic<unsigned>>(0),
                       std::make_shared<PeerConnections>(options_.max_connections_per_ip)} {}

    asio::io_context& io;
    HttpOptions options;
    bool metrics_public;
    AdminApi& api;
    openapi::OpenApi* open_api;
    const TrackingEndpoints* tracking = nullptr;
    Console* console = nullptr;
    spool::InflightBudget unlimited{std::numeric_limits<std::uint64_t>::max()};
    spool::InflightBudget* inflight = &unlimited;
    Pools pools;
    std::vector<Listener> listeners;
    Budget public_budget;
    Budget admin_budget;

    Budget& budget(Audience audience) { return audience == Audience::admin ? admin_budget : public_budget; }
    std::mutex tls_mutex;
    std::shared_ptr<asio::ssl::context> tls_context;

    std::shared_ptr<asio::ssl::context> current_tls() {
        std::lock_guard lock(tls_mutex);
        return tls_context;
    }

    // Not a coroutine on purpose: GCC 12 relocates lambda init-captures made inside coroutines
    // bitwise, so the capturing lambda is built here and only awaited by the coroutine.
    auto handle_on_pool(ApiRequest request, Audience audience) {
        // The operator's requests have threads of their own: a public listener busy with slow
        // OpenAPI calls never keeps /metrics or the admin API waiting.
        auto& pool = audience == Audience::admin ? pools.admin : pools.api;
        return net::offload(
            pool, [this, request = std::move(request), audience] { return route_or_500(request, audience); });
    }

    // The one guarantee for every handler (admin API, OpenAPI, metrics, tracking): an exception
    // becomes a 500 without detail and never leaves the thread (where it would end the process).
    template <class Handler>
    static auto or_500(const ApiRequest& r, const std::string& path, Handler&& handler) noexcept
        -> decltype(handler()) {
        try {
            return handler();
        } catch (const std::exception& e) {
            spdlog::error("http: {} {} failed: {}", r.method, path, e.what());
        } catch (...) {
            spdlog::error("http: {} {} failed: unknown exception", r.method, path);
        }
        return json_error(500, "InternalError", "internal error");
    }

    ApiResponse route_or_500(const ApiRequest& r, Audience audience) noexcept {
        const auto path = loggable_path(r.target); // the query may hold secrets
        return or_500(r, path, [&] {
            return audience == Audience::admin ? route_admin(r, path) : route_public(r, path);
        });
    }

    // The operator listener: /metrics (Prometheus; the token unless metrics_public) and /v1/….
    ApiResponse route_admin(const ApiRequest& r, const std::string& path) {
        if (path == "/metrics" && r.method == "GET") {
            if (!metrics_public) switch (api.auth().check(r.authorization, r.peer_ip, path)) {
                case AdminAuth::Verdict::allowed:
                    break;
                case AdminAuth::Verdict::unauthorized:
                    return json_error(401, "Unauthorized", "missing or wrong bearer token");
                case AdminAuth::Verdict::throttled:
                    return json_error(429, "TooManyRequests",
                                      "too many failed logins from this address; retry later");
                }
            return {200, metrics::registry().render(), "text/plain; version=0.0.4"};
        }
        if (path.starts_with("/v1/")) return api.handle(r);
        if (console && is_console_path(path)) return console->answer(r, true);
        return json_error(404, "NotFound", "no such endpoint");
    }

    // The public listener: "/" is the DirectMail-compatible OpenAPI (RPC style), and the reply-to
    // confirmation link; nothing of the admin API.
    ApiResponse route_public(const ApiRequest& r, const std::string& path) {
        if (path == "/reply-to/confirm") return api.reply_to_confirmation(r);
        if (is_tracking_path(path)) return tracking ? tracking->answer(r) : tracking_not_found();
        if (path.starts_with("/u/") && path.size() > 3) return api.unsubscribe(r);
        if (console && is_console_path(path)) return console->answer(r, false);
        if (r.target.front() != '/' || path != "/" || !open_api)
            return json_error(404, "NotFound", "no such endpoint");
        const auto qpos = r.target.find('?');
        openapi::SignedRequest signed_request{
            r.method, path,
            qpos == std::string::npos ? openapi::Params{}
                                      : common::parse_form(std::string_view(r.target).substr(qpos + 1)),
            r.headers, r.body};
        const auto now = common::unix_seconds_now();
        const auto reply = open_api->handle(signed_request, common::ClientOrigin::network(r.peer_ip), now);
        return {reply.status, reply.body};
    }

    // Counts a session for the connection limits for as long as it lives, and its end.
    struct ActiveGuard {
        std::shared_ptr<std::atomic<unsigned>> active;
        std::shared_ptr<PeerConnections> peers;
        std::optional<std::string> peer; // none: not counted per peer (the unix socket)
        ~ActiveGuard() {
            active->fetch_sub(1);
            if (peer) peers->remove(*peer);
            counter("mailpush_http_connections_closed_total", "HTTP connections ended (any way)").add();
        }
    };

    // Headers on every reply: no sniffing, framing or referrers (the reply-to page is HTML), no
    // caching of API answers; over TLS, HSTS so a browser never falls back to plain HTTP.
    template <class Stream, class Response>
    static void set_common_headers(Response& res) {
        res.set(http::field::server, "mailpush");
        res.set("X-Content-Type-Options", "nosniff");
        res.set("X-Frame-Options", "DENY");
        res.set("Referrer-Policy", "no-referrer");
        res.set(http::field::cache_control, "no-store");
        if constexpr (!std::is_same_v<Stream, beast::tcp_stream> && !std::is_same_v<Stream, unix_stream>)
            res.set(http::field::strict_transport_security, "max-age=31536000");
    }

    template <class Stream>
    static asio::awaitable<void> write_error(Stream& stream, unsigned version, const ApiResponse& error) {
        http::response<http::string_body> res{static_cast<http::status>(error.status), version};
        set_common_headers<Stream>(res);
        res.set(http::field::content_type, error.content_type);
        res.keep_alive(false);
        res.body() = error.body;
        res.prepare_payload();
        boost::system::error_code ec;
        co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    }

    // One connection's requests, one after the other. The header first, within its deadline; then
    // the decision on the body (413 when its Content-Length is over the route's limit, before one
    // byte of it is read); then the body, at the minimum rate.
    template <class Stream>
    asio::awaitable<void> serve(Stream& stream, const std::string& peer_ip, Audience audience) {
        beast::flat_buffer buffer;
        for (unsigned served = 0; served < kMaxRequestsPerConnection; ++served) {
            http::request_parser<http::string_body> parser;
            parser.header_limit(kHeaderLimit);
            parser.body_limit(boost::none); // the route's limit is decided once the header is in
            lowest(stream).expires_after(served == 0 ? options.header_timeout : options.idle_timeout);
            boost::system::error_code ec;
            co_await http::async_read_header(stream, buffer, parser,
                                             asio::redirect_error(asio::use_awaitable, ec));
            if (ec) {
                if (ec == beast::error::timeout)
                    counter("mailpush_http_slow_clients_total",
                            "HTTP connections closed: header or body too slow")
                        .add();
                else if (ec != http::error::end_of_stream && ec != asio::error::operation_aborted &&
                         ec != asio::error::eof && ec != asio::error::connection_reset) {
                    // Named, not a temporary in the co_await: GCC 12 destroys those twice.
                    const ApiResponse refusal =
                        ec == http::error::header_limit
                            ? json_error(431, "HeaderTooLarge", "the request header is too large")
                            : json_error(400, "BadRequest", "malformed HTTP request");
                    co_await write_error(stream, 11, refusal);
                }
                break;
            }
            const auto& header = parser.get();
            const std::string path = loggable_path(header.target());
            const auto limit = body_limit(audience, path);
            const auto declared = parser.content_length();
            if (declared && *declared > limit) {
                counter("mailpush_http_body_too_large_total",
                        "HTTP requests refused: body over the route's limit")
                    .add();
                const ApiResponse too_large = json_error(
                    413, "PayloadTooLarge", fmt::format("the body is larger than {} bytes", limit));
                co_await write_error(stream, header.version(), too_large);
                break;
            }
            parser.body_limit(limit);
            // The body and the message built from it are held in memory until the answer: twice
            // the declared size (the route's limit when undeclared) from the spool's budget, in
            // its open share (the request is not authenticated yet).
            spool::InflightCharge held(*inflight);
            const std::uint64_t holds = 2 * (declared ? *declared : (parser.is_done() ? 0 : limit));
            if (audience == Audience::public_ && holds > 0 &&
                !held.cover(holds, holds, spool::InflightBudget::Share::open)) {
                counter("mailpush_http_inflight_refusals_total",
                        "HTTP requests refused: the budget of message bytes in memory is spent")
                    .add();
                const ApiResponse busy = json_error(503, "Busy", "too many message bytes in progress; retry");
                co_await write_error(stream, header.version(), busy);
                break;
            }
            if (!parser.is_done()) {
                if (beast::iequals(header[http::field::expect], "100-continue")) {
                    http::response<http::empty_body> go_on{http::status::continue_, header.version()};
                    co_await http::async_write(stream, go_on, asio::redirect_error(asio::use_awaitable, ec));
                    if (ec) break;
                }
                // The socket's deadline follows the body's pace: every read moves it to when the
                // bytes still in the sliding window would be too few.
                const auto declared_size = declared ? std::optional<std::uint64_t>(*declared) : std::nullopt;
                BodyPace::Limits pace_limits;
                pace_limits.min_rate = options.min_body_rate;
                BodyPace pace(pace_limits, declared_size, BodyPace::Clock::now());
                while (!parser.is_done()) {
                    lowest(stream).expires_at(pace.deadline());
                    const auto read = co_await http::async_read_some(
                        stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
                    if (ec) break;
                    const auto now = BodyPace::Clock::now();
                    pace.on_bytes(read, now);
                    if (pace.deadline() <= now) {
                        ec = beast::error::timeout;
                        break;
                    }
                }
                if (ec == http::error::body_limit) {
                    const ApiResponse too_large = json_error(
                        413, "PayloadTooLarge", fmt::format("the body is larger than {} bytes", limit));
                    co_await write_error(stream, header.version(), too_large);
                    break;
                }
                if (ec) {
                    if (ec == beast::error::timeout)
                        counter("mailpush_http_slow_clients_total",
                                "HTTP connections closed: header or body too slow")
                            .add();
                    break;
                }
            }
            lowest(stream).expires_never();
            auto req = parser.release();
            ApiRequest areq;
            areq.method = std::string(req.method_string());
            areq.target = std::string(req.target());
            areq.body = std::move(req.body());
            areq.authorization = std::string(req[http::field::authorization]);
            for (const auto& field : req)
                areq.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
            areq.peer_ip = peer_ip;
            areq.secure = !std::is_same_v<Stream, beast::tcp_stream> && !std::is_same_v<Stream, unix_stream>;
            // The admin API blocks on SQLite: run it on the worker pool, resume here afterwards.
            // Tracking hits are answered here when they need no read (the pixel, cached links).
            std::optional<ApiResponse> at_once;
            if (audience == Audience::public_ && tracking && is_tracking_path(path))
                at_once = or_500(areq, path, [&] { return tracking->answer_now(areq); });
            ApiResponse ares;
            if (at_once)
                ares = std::move(*at_once);
            else
                ares = co_await handle_on_pool(std::move(areq), audience);
            spdlog::debug("http.request method={} path={} status={} peer={}", req.method_string(), path,
                          ares.status, peer_ip);
            http::response<http::string_body> res{static_cast<http::status>(ares.status), req.version()};
            set_common_headers<Stream>(res);
            res.set(http::field::content_type, ares.content_type);
            for (const auto& [name, value] : ares.headers)
                res.set(name, value);
            res.keep_alive(req.keep_alive());
            res.body() = std::move(ares.body);
            res.prepare_payload();
            if (req.method() == http::verb::head) res.body().clear(); // Content-Length stays the GET's
            lowest(stream).expires_after(options.idle_timeout);
            co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
            if (ec || !res.keep_alive()) break;
        }
    }

    asio::awaitable<void> tcp_session(tcp::socket socket, std::string peer_ip, bool tls, Audience audience) {
        auto& b = budget(audience);
        ActiveGuard guard{b.active, b.peers, peer_ip};
        beast::tcp_stream plain(std::move(socket));
        if (!tls) {
            co_await serve(plain, peer_ip, audience);
            boost::system::error_code ignored;
            plain.socket().shutdown(tcp::socket::shutdown_send, ignored);
            co_return;
        }
        const auto context = current_tls();
        if (!context) co_return;
        beast::ssl_stream<beast::tcp_stream> stream(std::move(plain), *context);
        stream.next_layer().expires_after(options.header_timeout);
        boost::system::error_code ec;
        co_await stream.async_handshake(asio::ssl::stream_base::server,
                                        asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            counter("mailpush_http_tls_handshake_failures_total", "HTTPS connections whose handshake failed")
                .add();
            co_return;
        }
        co_await serve(stream, peer_ip, audience);
        stream.next_layer().expires_after(std::chrono::seconds(2));
        co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
    }

    asio::awaitable<void> unix_session(local::socket socket) {
        ActiveGuard guard{admin_budget.active, admin_budget.peers, std::nullopt};
        unix_stream stream(std::move(socket));
        const std::string peer = "local"; // named: no temporary in a co_await (GCC 12)
        co_await serve(stream, peer, Audience::admin);
        boost::system::error_code ignored;
        stream.socket().shutdown(local::socket::shutdown_send, ignored);
    }

    template <class Socket>
    static asio::awaitable<void> refuse(Socket socket) {
        static constexpr std::string_view kBusy =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
            "Content-Length: 65\r\n\r\n{\"error\":{\"code\":\"Busy\",\"message\":\"too many connections; "
            "retry\"}}";
        boost::system::error_code ec;
        co_await asio::async_write(socket, asio::buffer(kBusy),
                                   asio::redirect_error(asio::use_awaitable, ec));
        socket.shutdown(Socket::shutdown_both, ec);
    }

    static bool take_slot(Budget& b) {
        if (b.active->fetch_add(1) < b.max) return true;
        b.active->fetch_sub(1);
        return false;
    }

    asio::awaitable<void> accept_tcp(Listener& l) {
        for (;;) {
            boost::system::error_code ec;
            tcp::socket socket(asio::make_strand(io));
            co_await l.tcp_acceptor->async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
            if (ec == asio::error::operation_aborted || !l.tcp_acceptor->is_open()) co_return;
            if (ec) continue;
            // Read once, here: a client that reset the connection has no address, and a request
            // without one would pass for nobody in particular. Such a connection is closed unserved.
            const auto peer = socket.remote_endpoint(ec);
            if (ec) {
                counter("mailpush_http_connections_no_peer_total",
                        "HTTP connections closed unserved: the peer address could not be read")
                    .add();
                counter("mailpush_http_connections_closed_total", "HTTP connections ended (any way)").add();
                socket.close(ec);
                continue;
            }
            std::string peer_ip = peer.address().to_string();
            auto& b = budget(l.spec.audience);
            if (!take_slot(b)) { // over the limit: a short 503, then close
                asio::co_spawn(socket.get_executor(), refuse(std::move(socket)), asio::detached);
                continue;
            }
            if (!b.peers->try_add(peer_ip)) {
                b.active->fetch_sub(1);
                counter("mailpush_http_connections_per_ip_refused_total",
                        "HTTP connections refused: the client IP had max_connections_per_ip open")
                    .add();
                asio::co_spawn(socket.get_executor(), refuse(std::move(socket)), asio::detached);
                continue;
            }
            asio::co_spawn(socket.get_executor(),
                           tcp_session(std::move(socket), std::move(peer_ip), l.spec.tls, l.spec.audience),
                           asio::detached);
        }
    }

    asio::awaitable<void> accept_unix(Listener& l) {
        for (;;) {
            boost::system::error_code ec;
            local::socket socket(asio::make_strand(io));
            co_await l.unix_acceptor->async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
            if (ec == asio::error::operation_aborted || !l.unix_acceptor->is_open()) co_return;
            if (ec) continue;
            if (!take_slot(admin_budget)) {
                asio::co_spawn(socket.get_executor(), refuse(std::move(socket)), asio::detached);
                continue;
            }
            asio::co_spawn(socket.get_executor(), unix_session(std::move(socket)), asio::detached);
        }
    }

    std::string bind(Listener& l) {
        const char* kind = l.spec.audience == Audience::admin ? "admin" : (l.spec.tls ? "https" : "http");
        if (!l.spec.unix_path.empty()) {
            std::filesystem::remove(l.spec.unix_path); // a socket left by an earlier run
            l.unix_acceptor = std::make_unique<local::acceptor>(io);
            const local::endpoint ep(l.spec.unix_path);
            l.unix_acceptor->open(ep.protocol());
            const auto old = ::umask(077); // the socket is born 0600: only its owner may connect
            boost::system::error_code ec;
            l.unix_acceptor->bind(ep, ec);
            ::umask(old);
            if (ec)
                throw net::ListenError("cannot listen name=" + l.spec.name + " socket=" + l.spec.unix_path +
                                       ": " + ec.message());
            ::chmod(l.spec.unix_path.c_str(), 0600);
            l.unix_acceptor->listen(64);
            return fmt::format("listening name={} kind={} socket={}", l.spec.name, kind, l.spec.unix_path);
        }
        l.tcp_acceptor = std::make_unique<tcp::acceptor>(io);
        net::open_listener(*l.tcp_acceptor, l.spec.name, l.spec.address, l.spec.port, 256);
        const auto b = l.tcp_acceptor->local_endpoint();
        return fmt::format("listening name={} kind={} addr={}:{}", l.spec.name, kind, b.address().to_string(),
                           b.port());
    }
};

HttpServer::HttpServer(asio::io_context& io, const HttpOptions& options, const AdminOptions& admin_options,
                       AdminApi& api, openapi::OpenApi* open_api, const Pools& pools)
    : impl_(std::make_shared<Impl>(io, options, admin_options, api, open_api, pools)) {}

HttpServer::~HttpServer() = default;

void HttpServer::set_tracking(const TrackingEndpoints* endpoints) {
    impl_->tracking = endpoints;
}

void HttpServer::set_console(Console* console) {
    impl_->console = console;
}

void HttpServer::set_inflight_budget(spool::InflightBudget* budget) {
    impl_->inflight = budget;
}

void HttpServer::add_listener(HttpListener listener) {
    impl_->listeners.push_back({std::move(listener), nullptr, nullptr});
}

std::vector<std::string> HttpServer::listen() {
    std::vector<std::string> lines;
    for (auto& l : impl_->listeners)
        lines.push_back(impl_->bind(l));
    return lines;
}

unsigned short HttpServer::bound_port(const std::string& name) const {
    for (const auto& l : impl_->listeners) {
        if (l.spec.name != name || !l.tcp_acceptor) continue;
        boost::system::error_code ec;
        const auto ep = l.tcp_acceptor->local_endpoint(ec);
        return ec ? 0 : ep.port();
    }
    return 0;
}

void HttpServer::set_tls_context(std::shared_ptr<asio::ssl::context> context) {
    std::lock_guard lock(impl_->tls_mutex);
    impl_->tls_context = std::move(context);
}

void HttpServer::start() {
    for (auto& l : impl_->listeners) {
        if (l.tcp_acceptor) asio::co_spawn(impl_->io, impl_->accept_tcp(l), asio::detached);
        if (l.unix_acceptor) asio::co_spawn(impl_->io, impl_->accept_unix(l), asio::detached);
    }
}

void HttpServer::stop() {
    boost::system::error_code ec;
    for (auto& l : impl_->listeners) {
        if (l.tcp_acceptor) l.tcp_acceptor->close(ec);
        if (l.unix_acceptor) l.unix_acceptor->close(ec);
    }
}

} // namespace mailpush::api
