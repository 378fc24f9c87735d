// The HTTP server (Boost.Beast) on [http] address:port. Serves the admin API and the
// DirectMail-compatible OpenAPI; talks to
// untrusted clients, so request size and time are bounded.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <memory>
#include <string>

namespace mailpush::api {

class AdminApi;
}
namespace mailpush::openapi {
class OpenApi;
}
namespace mailpush::api {

class HttpServer {
public:
    // `open_api` may be null (admin API only).
    HttpServer(boost::asio::io_context& io, const std::string& address, unsigned short port, AdminApi& api,
               openapi::OpenApi* open_api, boost::asio::thread_pool& blocking_pool);
    ~HttpServer();
    std::string listen(); // returns the "listening name=http ..." line
    unsigned short bound_port() const;
    void set_max_connections(unsigned n); // before start(); more get a 503 and are closed
    void start();
    void stop();

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

} // namespace mailpush::api
