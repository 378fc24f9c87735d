#include "mailpush/notify/http_post.hpp"

#include "mailpush/common/http_url.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/version.hpp>
#include <openssl/ssl.h>

namespace mailpush::notify {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
using Request = http::request<http::string_body>;

// Sends `req` and reads the answer's status; the stream's deadline bounds every step.
template <class Stream>
asio::awaitable<void> exchange(Stream& stream, Request& req, PostResult& out) {
    co_await http::async_write(stream, req, asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024); // the receiver's answer is not used
    co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
    out.status = static_cast<int>(parser.get().result_int());
    out.ok = out.status >= 200 && out.status < 300;
    if (!out.ok) out.error = "HTTP " + std::to_string(out.status);
}

asio::awaitable<void> post_once(const common::HttpUrl& url, Request& req, std::chrono::milliseconds timeout,
                                asio::ssl::context& tls, PostResult& out) {
    try {
        auto executor = co_await asio::this_coro::executor;
        tcp::resolver resolver(executor);
        const auto endpoints = co_await resolver.async_resolve(url.host, url.port, asio::use_awaitable);
        if (!url.tls) {
            beast::tcp_stream stream(executor);
            stream.expires_after(timeout);
            co_await stream.async_connect(endpoints, asio::use_awaitable);
            co_await exchange(stream, req, out);
            co_return;
        }
        beast::ssl_stream<beast::tcp_stream> stream(executor, tls);
        // SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.
        SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(url.host.c_str()));
        stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
        beast::get_lowest_layer(stream).expires_after(timeout);
        co_await beast::get_lowest_layer(stream).async_connect(endpoints, asio::use_awaitable);
        co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
        co_await exchange(stream, req, out);
    } catch (const std::exception& e) {
        out.ok = false;
        out.error = e.what();
    }
}
} // namespace

struct HttpPoster::Tls {
    asio::ssl::context context{asio::ssl::context::tls_client};
};

HttpPoster::HttpPoster(PostOptions options)
    : options_(std::move(options)) {}

HttpPoster::~HttpPoster() = default;

PostResult HttpPoster::post(const std::string& url, const std::string& content_type, const std::string& body,
                            const std::vector<std::pair<std::string, std::string>>& headers) {
    const auto timeout = options_.timeout;
    PostResult out;
    const auto parsed = common::parse_http_url(url);
    if (!parsed) {
        out.error = "not an http(s) URL";
        return out;
    }
    if (!tls_) {
        auto tls = std::make_unique<Tls>();
        tls->context.set_default_verify_paths();
        tls->context.set_verify_mode(asio::ssl::verify_peer);
        if (!options_.ca_file.empty()) {
            boost::system::error_code ec;
            tls->context.load_verify_file(options_.ca_file, ec);
            if (ec) {
                out.error = "cannot load " + options_.ca_file + ": " + ec.message();
                return out;
            }
        }
        tls_ = std::move(tls);
    }
    Request req{http::verb::post, parsed->target, 11};
    req.set(http::field::host, parsed->host);
    req.set(http::field::user_agent, "mailpush");
    req.set(http::field::content_type, content_type);
    req.set(http::field::connection, "close");
    for (const auto& [name, value] : headers)
        req.set(name, value);
    req.body() = body;
    req.prepare_payload();
    asio::io_context io;
    asio::co_spawn(io, post_once(*parsed, req, timeout, tls_->context, out), asio::detached);
    // The resolver has no deadline of its own: bound the whole call.
    io.run_for(timeout + std::chrono::seconds(1));
    if (!io.stopped() && out.status == 0 && out.error.empty()) out.error = "timed out";
    return out;
}

} // namespace mailpush::notify
