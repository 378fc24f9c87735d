#include "http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <stdexcept>

namespace mailpush::ctl {
namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

std::string url_encode(const std::string& s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '_' || c == '.' || c == '~' || c == '@') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

HttpResult http_request(const std::string& base_url, const std::string& method, const std::string& target,
                        const std::string& body, const std::string& token) {
    constexpr std::string_view scheme = "http://";
    if (!base_url.starts_with(scheme))
        throw std::runtime_error("the URL must start with http://: " + base_url);
    std::string hostport = base_url.substr(scheme.size());
    while (!hostport.empty() && hostport.back() == '/')
        hostport.pop_back();
    const auto colon = hostport.rfind(':');
    const std::string host = colon == std::string::npos ? hostport : hostport.substr(0, colon);
    const std::string port = colon == std::string::npos ? "80" : hostport.substr(colon + 1);

    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(30));
    beast::error_code ec;
    auto endpoints = resolver.resolve(host, port, ec);
    if (!ec) stream.connect(endpoints, ec);
    if (ec) throw std::runtime_error("cannot connect to " + base_url + ": " + ec.message());

    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, host);
    req.set(http::field::user_agent, "mailpushctl");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req, ec);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    if (!ec) http::read(stream, buffer, res, ec);
    if (ec) throw std::runtime_error("request to " + base_url + " failed: " + ec.message());
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    return {res.result_int(), std::move(res.body())};
}

} // namespace mailpush::ctl
