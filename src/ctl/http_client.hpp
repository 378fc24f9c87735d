// A minimal synchronous HTTP/1.1 client for mailpushctl (Beast, one request per call).
#pragma once

#include <string>

namespace mailpush::ctl {

struct HttpResult {
    unsigned status = 0;
    std::string body;
};

// `base_url` is "http://host:port". Throws std::runtime_error on connection problems.
HttpResult http_request(const std::string& base_url, const std::string& method, const std::string& target,
                        const std::string& body, const std::string& token);

std::string url_encode(const std::string& s);

} // namespace mailpush::ctl
