#include "mailpush/delivery/tls_policy.hpp"

#include "mailpush/common/strings.hpp"

namespace mailpush::delivery {
namespace {
std::string_view without_root_dot(std::string_view s) {
    if (!s.empty() && s.back() == '.') s.remove_suffix(1);
    return s;
}
} // namespace

bool tls_required(std::string_view domain, const std::vector<std::string>& require_tls_domains) {
    const auto d = without_root_dot(domain);
    if (d.empty()) return false;
    for (const auto& r : require_tls_domains)
        if (common::iequals(without_root_dot(r), d)) return true;
    return false;
}

AfterTlsFailure after_tls_failure(bool handshake_failed, bool already_plain, bool required) {
    if (!handshake_failed || already_plain || required) return AfterTlsFailure::give_up;
    return AfterTlsFailure::retry_plain;
}

} // namespace mailpush::delivery
