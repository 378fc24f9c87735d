// The HTTP request path up to routing: a Beast request_parser with the server's limits fed the
// bytes in fuzz-chosen pieces, then what src/api/http_server.cpp and the routers do with a complete
// request: the target split at '?', the OpenAPI's form decoding of query and body, the admin path
// split and query parsing, and the route match over every admin route pattern (read from
// src/api/admin_*.cpp at configure time; handlers are never called).
#include "admin_router.hpp"
#include "fuzz_check.hpp"

#include "mailpush/common/url.hpp"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>

#include <fuzzer/FuzzedDataProvider.h>

namespace mailpush::api::detail {
namespace {
namespace http = boost::beast::http;

constexpr Route kRoutes[] = {
#include "fuzz_admin_routes.inc"
};

void route(const http::request<http::string_body>& req) {
    static const Router router({std::span<const Route>(kRoutes)});
    const std::string target(req.target());
    const auto qpos = target.find('?');
    const std::string_view path_text = std::string_view(target).substr(0, qpos);
    const std::string_view query =
        qpos == std::string::npos ? std::string_view() : std::string_view(target).substr(qpos + 1);
    (void)common::parse_form(query); // OpenAPI: query parameters
    (void)common::parse_form(req.body());
    const auto path = split_path(path_text);
    for (const auto& segment : path)
        FUZZ_CHECK(!segment.empty());
    (void)parse_query(query);
    const auto found = router.match(std::string(req.method_string()), path);
    if (found.route) {
        FUZZ_CHECK(found.route->method == req.method_string());
        for (const auto& [name, value] : found.params)
            FUZZ_CHECK(!name.empty() && !value.empty());
    }
}

} // namespace
} // namespace mailpush::api::detail

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace http = boost::beast::http;
    FuzzedDataProvider in(data, size);
    const auto piece = in.ConsumeIntegralInRange<std::size_t>(1, 256);
    const std::string stream = in.ConsumeRemainingBytesAsString();
    // Several requests on one connection, as keep-alive sends them.
    std::size_t pos = 0;
    for (int request = 0; request < 16 && pos < stream.size(); ++request) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(16 * 1024 * 1024); // as src/api/http_server.cpp sets them
        parser.header_limit(16 * 1024);
        parser.eager(true);
        boost::beast::error_code ec;
        // Bytes arrive in pieces; unconsumed bytes are offered again with the next piece.
        std::size_t end = pos;
        for (std::size_t guard = 0; guard <= stream.size() && !parser.is_done() && !ec && pos < stream.size();
             ++guard) {
            end = std::min(stream.size(), std::max(end, pos) + piece);
            const auto used = parser.put(boost::asio::buffer(stream.data() + pos, end - pos), ec);
            if (ec == http::error::need_more) {
                ec = {};
                if (end == stream.size()) break;
            }
            pos += used;
        }
        if (ec || !parser.is_done()) break;
        mailpush::api::detail::route(parser.get());
    }
    return 0;
}
