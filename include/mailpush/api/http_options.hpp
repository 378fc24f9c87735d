// The HTTP port's options: the [http] keys of the listener and the admin API (the OpenAPI's
// own [http] keys are in openapi/options.hpp).
#pragma once

#include <cstdint>
#include <string>

namespace mailpush::api {

struct HttpOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080;
    std::string admin_token;
    unsigned max_connections = 1024;
};

} // namespace mailpush::api
