// The HTTP listeners (Boost.Beast): public ones (plain and TLS) serve the DirectMail-compatible
// OpenAPI, the reply-to confirmation and unsubscribe pages and the tracking endpoints; the operator one (TCP
// or a unix socket) the admin API and /metrics. They talk to untrusted clients: the header is read and
// checked before the body, a body over its route's limit is refused before it is read, a client gets a
// bounded number of connections and a deadline for its header and its body.
#pragma once

#include "mailpush/api/http_limits.hpp"
#include "mailpush/api/http_options.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <memory>
#include <string>
#include <vector>

namespace mailpush::api {

class AdminApi;
class TrackingEndpoints;
class Console;
} // namespace mailpush::api
namespace mailpush::openapi {
class OpenApi;
}
namespace mailpush::spool {
class InflightBudget;
}
namespace mailpush::api {

struct HttpListener {
    std::string name; // "http", "https", "admin": the "listening name=…" line
    Audience audience = Audience::public_;
    std::string address;
    unsigned short port = 0;
    std::string unix_path; // when set: a unix socket (mode 0600), no TCP
    bool tls = false;      // the context of set_tls_context
};

class HttpServer {
public:
    // Where requests run: the public listeners' on `api`, the operator listener's on `admin`.
    struct Pools {
        boost::asio::thread_pool& api;
        boost::asio::thread_pool& admin;
    };

    // `open_api` may be null (admin API only). From `admin_options`: `metrics_public` (/metrics
    // without the token) and `max_connections`.
    HttpServer(boost::asio::io_context& io, const HttpOptions& options, const AdminOptions& admin_options,
               AdminApi& api, openapi::OpenApi* open_api, const Pools& pools);
    ~HttpServer();
    void add_listener(HttpListener listener); // before listen()
    // The open pixel and click redirect on the public listeners (before start()); without them
    // /o/ and /c/ answer 404.
    void set_tracking(const TrackingEndpoints* endpoints);
    // The web console under /console on every listener (operator mode on the admin one).
    void set_console(Console* console);
    // The budget of message bytes in memory a public request's body is counted against (before
    // start(); without one, a budget of its own with no limit).
    void set_inflight_budget(spool::InflightBudget* budget);
    // Binds every listener; returns their "listening name=… kind=… addr=…" lines. Throws
    // std::runtime_error naming the listener and its address when one cannot be bound.
    std::vector<std::string> listen();
    unsigned short bound_port(const std::string& name) const; // 0 when absent or not bound
    // The certificate of the TLS listeners; replaced on SIGHUP (new connections use the new one).
    void set_tls_context(std::shared_ptr<boost::asio::ssl::context> context);
    void start();
    void stop();

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

} // namespace mailpush::api
