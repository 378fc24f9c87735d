#include "mailpush/notify/http_post.hpp"

#include "mailpush/http_client/http_client.hpp"

namespace mailpush::notify {
namespace {
http_client::ClientOptions client_options(const PostOptions& options) {
    http_client::ClientOptions o;
    o.timeout = options.timeout;
    o.ca_file = options.ca_file;
    o.user_agent = "mailpush";
    o.body_limit = 64 * 1024; // the receiver's answer is not used
    o.allow_private_addresses = options.allow_private_targets;
    return o;
}
} // namespace

// The shared client, which keeps the TLS context between pushes.
struct HttpPoster::Tls {
    explicit Tls(const PostOptions& options)
        : client(client_options(options)) {}
    http_client::Client client;
};

HttpPoster::HttpPoster(PostOptions options)
    : options_(std::move(options))
    , tls_(std::make_unique<Tls>(options_)) {}

HttpPoster::~HttpPoster() = default;

PostResult HttpPoster::post(const std::string& url, const std::string& content_type, const std::string& body,
                            const std::vector<std::pair<std::string, std::string>>& headers) {
    http_client::Request request;
    request.method = "POST";
    request.url = url;
    request.headers = {{"Content-Type", content_type}, {"Connection", "close"}};
    request.headers.insert(request.headers.end(), headers.begin(), headers.end());
    request.body = body;
    const auto response = tls_->client.send(request);
    PostResult out;
    if (!response.answered) {
        out.error = response.error;
        out.refused = response.refused;
        return out;
    }
    out.status = static_cast<int>(response.status);
    out.ok = out.status >= 200 && out.status < 300;
    if (!out.ok) out.error = "HTTP " + std::to_string(out.status);
    return out;
}

} // namespace mailpush::notify
