// The HTTP listeners' options: [http], the public listener (the OpenAPI and the reply-to
// confirmation page), and [admin], the operator listener (the admin API and /metrics). The
// OpenAPI's own [http] keys are in openapi/options.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace mailpush::api {

struct HttpOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080;       // plain HTTP; 0 = off
    std::uint16_t https_port = 0;    // HTTPS; 0 = off
    std::string cert, key;           // empty: the certificate of [tls]
    unsigned max_connections = 1024; // both public ports together (the admin listener has its own)
    unsigned max_connections_per_ip = 64;
    std::chrono::milliseconds header_timeout{5000}; // from connect (or the previous reply) to the header
    std::uint64_t min_body_rate = 16 * 1024;        // bytes/s over any 3 s window (BodyPace)
    std::chrono::milliseconds idle_timeout{30'000}; // keep-alive between requests
};

struct AdminOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8081; // 0 = any free port (tests)
    std::string socket;        // a unix socket path: when set, no TCP
    std::string token;         // a token written in the config (at least 32 characters)
    std::string token_file;    // empty: {data_dir}/admin.token
    bool metrics_public = false;
    unsigned max_connections = 64; // its own budget: the public listeners cannot take it
};

} // namespace mailpush::api
