#include "mailpush/smtp/sasl.hpp"

#include "mailpush/common/base64.hpp"

namespace mailpush::smtp {

SaslResult decode_plain(std::string_view b64) {
    SaslResult r;
    auto raw = common::base64_decode(b64);
    if (!raw) {
        r.error = SaslError::bad_base64;
        return r;
    }
    const auto first = raw->find('\0');
    if (first == std::string::npos) return r;
    const auto second = raw->find('\0', first + 1);
    if (second == std::string::npos || raw->find('\0', second + 1) != std::string::npos) return r;
    std::string authzid = raw->substr(0, first);
    Credentials c{raw->substr(first + 1, second - first - 1), raw->substr(second + 1)};
    if (c.username.empty() || c.password.empty()) return r;
    if (!authzid.empty() && authzid != c.username) return r; // no proxy authorization
    r.credentials = std::move(c);
    return r;
}

std::optional<std::string> decode_login_field(std::string_view b64, bool& bad_base64) {
    auto raw = common::base64_decode(b64);
    bad_base64 = !raw;
    if (!raw || raw->empty() || raw->find('\0') != std::string::npos) return std::nullopt;
    return raw;
}

} // namespace mailpush::smtp
