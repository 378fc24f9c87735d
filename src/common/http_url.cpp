#include "mailpush/common/http_url.hpp"

// Boost.URL without its separately built library: compiled here, in this one file.
#include <boost/url/parse.hpp>
#include <boost/url/src.hpp>
#include <boost/url/url.hpp>

namespace mailpush::common {

std::optional<HttpUrl> parse_http_url(std::string_view url) {
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) return std::nullopt;
    const auto& u = *parsed;
    HttpUrl out;
    if (u.scheme_id() == boost::urls::scheme::https)
        out.tls = true;
    else if (u.scheme_id() != boost::urls::scheme::http)
        return std::nullopt;
    if (!u.has_authority() || u.has_userinfo() || u.has_fragment()) return std::nullopt;
    out.host = u.encoded_host_address().decode();
    if (out.host.empty()) return std::nullopt;
    if (u.has_port()) {
        // port_number() wraps values past 65535: judge the digits.
        const std::string digits(u.port());
        if (digits.empty() || digits.size() > 5 || std::stoul(digits) == 0 || std::stoul(digits) > 65535)
            return std::nullopt;
        out.port = std::to_string(std::stoul(digits));
    } else {
        out.port = out.tls ? "443" : "80";
    }
    out.target = u.encoded_target().empty() ? "/" : std::string(u.encoded_target());
    if (out.target.front() != '/') out.target.insert(0, 1, '/');
    return out;
}

std::string host_header(const HttpUrl& url) {
    const bool ipv6 = url.host.find(':') != std::string::npos;
    std::string out = ipv6 ? "[" + url.host + "]" : url.host;
    if (url.port != (url.tls ? "443" : "80")) out += ":" + url.port;
    return out;
}

std::string url_for_log(std::string_view url) {
    auto parsed = boost::urls::parse_uri_reference(url);
    if (!parsed) return "(not a URL)";
    boost::urls::url u(*parsed);
    u.remove_userinfo();
    u.remove_query();
    u.remove_fragment();
    return std::string(u.buffer());
}

} // namespace mailpush::common
