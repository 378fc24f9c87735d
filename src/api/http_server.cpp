#include "mailpush/api/http_server.hpp"

#include "mailpush/api/admin_api.hpp"
#include "mailpush/common/calendar.hpp"
#include "mailpush/common/client_origin.hpp"
#include "mailpush/common/metrics.hpp"
#include "mailpush/common/url.hpp"
#include "mailpush/net/listen.hpp"
#include "mailpush/net/offload.hpp"
#include "mailpush/openapi/openapi.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

namespace mailpush::api {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpServer::Impl : std::enable_shared_from_this<Impl> {
    Impl(asio::io_context& io_, const std::string& address_, unsigned short port_, AdminApi& api_,
         openapi::OpenApi* open_api_, asio::thread_pool& pool_)
        : io(io_)
        , address(address_)
        , port(port_)
        , api(api_)
        , open_api(open_api_)
        , pool(pool_)
        , acceptor(io_) {}
    asio::io_context& io;
    std::string address;
    unsigned short port;
    AdminApi& api;
    openapi::OpenApi* open_api;
    unsigned max_connections = 1024;
    // Shared with the sessions: a session frame still pending when the server is gone is
    // destroyed with the io_context, later, and its guard must not touch freed memory.
    std::shared_ptr<std::atomic<unsigned>> active = std::make_shared<std::atomic<unsigned>>(0);
    asio::thread_pool& pool;
    tcp::acceptor acceptor;

    // Not a coroutine on purpose: GCC 12 relocates lambda init-captures made inside coroutines
    // bitwise, so the capturing lambda is built here and only awaited by the coroutine.
    auto handle_on_pool(ApiRequest request) {
        return net::offload(pool, [this, request = std::move(request)] { return route_or_500(request); });
    }

    // The one guarantee for every handler (admin API, OpenAPI, metrics): an exception becomes a 500
    // without detail and never leaves the worker thread (where it would end the process).
    ApiResponse route_or_500(const ApiRequest& r) noexcept {
        const auto path =
            std::string_view(r.target).substr(0, r.target.find('?')); // the query may hold secrets
        try {
            return route(r);
        } catch (const std::exception& e) {
            spdlog::error("http: {} {} failed: {}", r.method, path, e.what());
        } catch (...) {
            spdlog::error("http: {} {} failed: unknown exception", r.method, path);
        }
        return {500, R"({"error":{"code":"InternalError","message":"internal error"}})"};
    }

    // "/" is the DirectMail-compatible OpenAPI (RPC style); everything else the admin API.
    ApiResponse route(const ApiRequest& r) {
        const auto qpos = r.target.find('?');
        const std::string path = r.target.substr(0, qpos);
        if (path == "/metrics" && r.method == "GET") // Prometheus scrape (SPEC §7); counts only, no token
            return {200, metrics::registry().render(), "text/plain; version=0.0.4"};
        if (path != "/" || !open_api) return api.handle(r);
        openapi::SignedRequest signed_request{
            r.method, path,
            qpos == std::string::npos ? openapi::Params{}
                                      : common::parse_form(std::string_view(r.target).substr(qpos + 1)),
            r.headers, r.body};
        const auto now = common::unix_seconds_now();
        const auto reply = open_api->handle(signed_request, common::ClientOrigin::network(r.peer_ip), now);
        return {reply.status, reply.body};
    }

    // Counts a session for the connection limit for as long as it lives, and its end.
    struct ActiveGuard {
        std::shared_ptr<std::atomic<unsigned>> active;
        ~ActiveGuard() {
            active->fetch_sub(1);
            metrics::registry()
                .counter("mailpush_http_connections_closed_total", "HTTP connections ended (any way)")
                .add();
        }
    };

    asio::awaitable<void> session(tcp::socket socket) {
        ActiveGuard guard{active};
        // Read once, here: a client that reset the connection has no address, and a request
        // without one would pass for nobody in particular. Such a connection is closed unserved.
        boost::system::error_code peer_ec;
        const auto peer = socket.remote_endpoint(peer_ec);
        if (peer_ec) {
            metrics::registry()
                .counter("mailpush_http_connections_no_peer_total",
                         "HTTP connections closed unserved: the peer address could not be read")
                .add();
            socket.close(peer_ec);
            co_return;
        }
        const std::string peer_ip = peer.address().to_string();
        beast::tcp_stream stream(std::move(socket));
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(16 * 1024 * 1024);
            parser.header_limit(16 * 1024);
            stream.expires_after(std::chrono::seconds(60));
            boost::system::error_code ec;
            co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
            if (ec) {
                if (ec != http::error::end_of_stream && ec != asio::error::operation_aborted &&
                    ec != beast::error::timeout && ec != asio::error::eof) {
                    http::response<http::string_body> bad{http::status::bad_request, 11};
                    bad.set(http::field::content_type, "application/json");
                    bad.body() = R"({"error":{"code":"BadRequest","message":"malformed HTTP request"}})";
                    bad.keep_alive(false);
                    bad.prepare_payload();
                    co_await http::async_write(stream, bad, asio::redirect_error(asio::use_awaitable, ec));
                }
                break;
            }
            auto req = parser.release();
            ApiRequest areq;
            areq.method = std::string(req.method_string());
            areq.target = std::string(req.target());
            areq.body = std::move(req.body());
            areq.authorization = std::string(req[http::field::authorization]);
            for (const auto& field : req)
                areq.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
            areq.peer_ip = peer_ip;
            // The admin API blocks on SQLite: run it on the worker pool, resume here afterwards.
            ApiResponse ares = co_await handle_on_pool(std::move(areq));
            http::response<http::string_body> res{static_cast<http::status>(ares.status), req.version()};
            res.set(http::field::server, "mailpush");
            res.set(http::field::content_type, ares.content_type);
            res.keep_alive(req.keep_alive());
            res.body() = std::move(ares.body);
            res.prepare_payload();
            co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
            if (ec || !res.keep_alive()) break;
        }
        boost::system::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    asio::awaitable<void> refuse(tcp::socket socket) {
        static constexpr std::string_view kBusy =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
            "Content-Length: 65\r\n\r\n{\"error\":{\"code\":\"Busy\",\"message\":\"too many connections; "
            "retry\"}}";
        boost::system::error_code ec;
        co_await asio::async_write(socket, asio::buffer(kBusy),
                                   asio::redirect_error(asio::use_awaitable, ec));
        socket.shutdown(tcp::socket::shutdown_both, ec);
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            boost::system::error_code ec;
            tcp::socket socket(asio::make_strand(io));
            co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
            if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
            if (ec) continue;
            if (active->fetch_add(1) >= max_connections) { // over the limit: a short 503, then close
                active->fetch_sub(1);
                asio::co_spawn(socket.get_executor(), refuse(std::move(socket)), asio::detached);
                continue;
            }
            asio::co_spawn(socket.get_executor(), session(std::move(socket)), asio::detached);
        }
    }
};

HttpServer::HttpServer(asio::io_context& io, const std::string& address, unsigned short port, AdminApi& api,
                       openapi::OpenApi* open_api, asio::thread_pool& pool)
    : impl_(std::make_shared<Impl>(io, address, port, api, open_api, pool)) {}

HttpServer::~HttpServer() = default;

std::string HttpServer::listen() {
    net::open_listener(impl_->acceptor, "http", impl_->address, impl_->port, 256);
    const auto b = impl_->acceptor.local_endpoint();
    return "listening name=http kind=http addr=" + b.address().to_string() + ":" + std::to_string(b.port());
}

unsigned short HttpServer::bound_port() const {
    boost::system::error_code ec;
    const auto ep = impl_->acceptor.local_endpoint(ec);
    return ec ? 0 : ep.port();
}

void HttpServer::set_max_connections(unsigned n) {
    impl_->max_connections = n;
}

void HttpServer::start() {
    asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
}

void HttpServer::stop() {
    boost::system::error_code ec;
    impl_->acceptor.close(ec);
}

} // namespace mailpush::api
