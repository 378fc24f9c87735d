// The HTTP server (Boost.Beast) on [http] address:port. Serves the admin API; talks to
// untrusted clients, so request size and time are bounded.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <memory>
#include <string>

namespace mailpush::api {

class AdminApi;

class HttpServer {
public:
    HttpServer(boost::asio::io_context& io, const std::string& address, unsigned short port, AdminApi& api,
               boost::asio::thread_pool& blocking_pool);
    ~HttpServer();
    std::string listen(); // returns the "listening name=http ..." line
    void start();
    void stop();

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

} // namespace mailpush::api
