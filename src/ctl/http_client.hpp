// mailpushctl's calls to the admin API, over the shared HTTP client (one request per call).
#pragma once

#include <string>

namespace mailpush::ctl {

struct HttpResult {
    unsigned status = 0;
    std::string body;
};

// `base_url` is "http://host:port" or "https://host:port". Throws std::runtime_error on connection problems.
HttpResult http_request(const std::string& base_url, const std::string& method, const std::string& target,
                        const std::string& body, const std::string& token);

std::string url_encode(const std::string& s);

} // namespace mailpush::ctl
