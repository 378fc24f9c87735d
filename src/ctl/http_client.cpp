#include "http_client.hpp"

#include "mailpush/common/url.hpp"
#include "mailpush/http_client/http_client.hpp"

#include <stdexcept>

namespace mailpush::ctl {

std::string url_encode(const std::string& s) {
    static constexpr common::ByteSet kKept =
        common::kUnreserved | common::ByteSet("@"); // addresses stay legible
    return common::percent_encode(s, kKept);
}

HttpResult http_request(const std::string& base_url, const std::string& method, const std::string& target,
                        const std::string& body, const std::string& token) {
    if (!base_url.starts_with("http://") && !base_url.starts_with("https://"))
        throw std::runtime_error("the URL must start with http:// or https://: " + base_url);
    std::string base = base_url;
    while (base.back() == '/')
        base.pop_back();

    http_client::ClientOptions options;
    options.timeout = std::chrono::seconds(30);
    options.user_agent = "mailpushctl";
    http_client::Request request;
    request.method = method;
    request.url = base + target;
    if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
    if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    request.body = body;
    auto response = http_client::Client(options).send(request);
    if (!response.answered && !response.connected)
        throw std::runtime_error("cannot connect to " + base_url + ": " + response.error);
    if (!response.answered) throw std::runtime_error("request to " + base_url + " failed: " + response.error);
    return {response.status, std::move(response.body)};
}

} // namespace mailpush::ctl
