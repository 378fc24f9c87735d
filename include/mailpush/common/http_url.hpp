// An http:// or https:// URL split for a client request (webhook targets). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mailpush::common {

struct HttpUrl {
    bool tls = false;
    std::string host;   // without brackets for IPv6
    std::string port;   // "80" / "443" when absent
    std::string target; // path and query, at least "/"
};

// nullopt unless an absolute http(s) URL with a host, no user info and no fragment.
std::optional<HttpUrl> parse_http_url(std::string_view url);

// The Host header for a request to `url`: the port is added unless it is the scheme's default,
// an IPv6 address is bracketed.
std::string host_header(const HttpUrl& url);

// `url` as a log line may show it: no user info, no query, no fragment (they may carry tokens).
// Text that is not a URL is replaced by a placeholder rather than logged.
std::string url_for_log(std::string_view url);

} // namespace mailpush::common
