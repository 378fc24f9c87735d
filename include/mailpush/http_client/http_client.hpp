// A blocking HTTP/1.1 client over Beast for the notifier's pushes and mailpushctl's calls: http
// and https (certificate and host name verified against the system's CAs and an optional CA
// file), one connection per request, one deadline for the whole exchange.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mailpush::http_client {

struct ClientOptions {
    std::chrono::milliseconds timeout{30'000}; // the whole call, name resolution included
    std::string ca_file;                       // PEM CAs trusted besides the system's; "" = system only
    std::string user_agent = "mailpush";
    std::uint64_t body_limit = 8 * 1024 * 1024; // a longer answer is an error
    // false: only global addresses are connected to (common::address_scope); the check is made on
    // the resolved addresses the connection then uses, so a second lookup cannot swap them.
    bool allow_private_addresses = true;
};

struct Request {
    std::string method = "GET";
    std::string url; // http://host[:port]/target or https://...
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body; // Content-Length is set from it
};

struct Response {
    bool answered = false;  // an HTTP answer arrived (any status)
    bool connected = false; // the server was reached (an error came later)
    bool refused = false;   // every address of the host is non-global and those are not allowed
    unsigned status = 0;
    std::string body;
    std::string error; // what went wrong when not answered
};

// Keeps the TLS client context: the CA store is loaded once, on the first https URL.
class Client {
public:
    explicit Client(ClientOptions options);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Never throws for network errors: they are in Response::error.
    Response send(const Request& request);

private:
    struct Tls;
    ClientOptions options_;
    std::unique_ptr<Tls> tls_;
};

} // namespace mailpush::http_client
