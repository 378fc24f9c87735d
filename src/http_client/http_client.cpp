#include "mailpush/http_client/http_client.hpp"

#include "mailpush/common/address_scope.hpp"
#include "mailpush/common/http_url.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/ssl.h>

namespace mailpush::http_client {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
using BeastRequest = http::request<http::string_body>;

// Sends `req` and reads the answer; the stream's deadline bounds every step. Errors land in
// `ec` (redirect_error: Boost's exceptions carry source locations in what()).
template <class Stream>
asio::awaitable<void> exchange(Stream& stream, BeastRequest& req, const ClientOptions& options, Response& out,
                               beast::error_code& ec) {
    co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(options.body_limit);
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    out.status = parser.get().result_int();
    out.body = std::move(parser.get().body());
    out.answered = true;
}

// The resolved endpoints the options allow; `refused` explains an empty answer.
std::vector<tcp::endpoint> allowed_endpoints(const tcp::resolver::results_type& endpoints,
                                             const common::HttpUrl& url, const ClientOptions& options,
                                             Response& out) {
    std::vector<tcp::endpoint> allowed;
    std::string first_refused;
    for (const auto& e : endpoints) {
        const auto ip = e.endpoint().address().to_string();
        const auto scope = common::address_scope(ip);
        if (options.allow_private_addresses || scope == common::AddressScope::global)
            allowed.push_back(e.endpoint());
        else if (first_refused.empty())
            first_refused = ip + " is " + std::string(common::scope_name(scope));
    }
    if (allowed.empty()) {
        out.refused = true;
        out.error = "refused: " + url.host + " has no global address (" + first_refused + ")";
    }
    return allowed;
}

asio::awaitable<void> send_once(const common::HttpUrl& url, BeastRequest& req, const ClientOptions& options,
                                asio::ssl::context* tls, Response& out, beast::error_code& ec) {
    auto executor = co_await asio::this_coro::executor;
    tcp::resolver resolver(executor);
    const auto endpoints =
        co_await resolver.async_resolve(url.host, url.port, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    const auto allowed = allowed_endpoints(endpoints, url, options, out);
    if (allowed.empty()) co_return;
    if (!url.tls) {
        beast::tcp_stream stream(executor);
        stream.expires_after(options.timeout);
        co_await stream.async_connect(allowed, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        out.connected = true;
        co_await exchange(stream, req, options, out, ec);
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        co_return;
    }
    beast::ssl_stream<beast::tcp_stream> stream(executor, *tls);
    // SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.
    SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(url.host.c_str()));
    stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
    beast::get_lowest_layer(stream).expires_after(options.timeout);
    co_await beast::get_lowest_layer(stream).async_connect(allowed,
                                                           asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    out.connected = true;
    co_await stream.async_handshake(asio::ssl::stream_base::client,
                                    asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    co_await exchange(stream, req, options, out, ec);
}

asio::awaitable<void> run(const common::HttpUrl& url, BeastRequest& req, const ClientOptions& options,
                          asio::ssl::context* tls, Response& out) {
    beast::error_code ec;
    try {
        co_await send_once(url, req, options, tls, out, ec);
    } catch (const std::exception& e) { // allocation failures and the like: reported, not thrown
        out.answered = false;
        out.error = e.what();
        co_return;
    }
    if (ec) {
        out.answered = false;
        out.error = ec.message();
    }
}
} // namespace

struct Client::Tls {
    asio::ssl::context context{asio::ssl::context::tls_client};
};

Client::Client(ClientOptions options)
    : options_(std::move(options)) {}

Client::~Client() = default;

Response Client::send(const Request& request) {
    Response out;
    const auto url = common::parse_http_url(request.url);
    if (!url) {
        out.error = "not an http(s) URL";
        return out;
    }
    if (url->tls && !tls_) {
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
    BeastRequest req{http::string_to_verb(request.method), url->target, 11};
    req.set(http::field::host, common::host_header(*url));
    req.set(http::field::user_agent, options_.user_agent);
    for (const auto& [name, value] : request.headers)
        req.set(name, value);
    req.body() = request.body;
    req.prepare_payload();
    asio::ssl::context* tls = tls_ ? &tls_->context : nullptr; // named: no temporaries into a coroutine
    asio::io_context io;
    asio::co_spawn(io, run(*url, req, options_, tls, out), asio::detached);
    // The resolver has no deadline of its own: bound the whole call.
    io.run_for(options_.timeout + std::chrono::seconds(1));
    if (!out.answered && out.error.empty()) out.error = "timed out";
    return out;
}

} // namespace mailpush::http_client
