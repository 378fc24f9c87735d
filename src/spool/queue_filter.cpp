#include "mailpush/spool/queue_filter.hpp"

#include "mailpush/common/strings.hpp"

#include <algorithm>

namespace mailpush::spool {
namespace {
bool same(std::string_view a, std::string_view b) {
    return common::iequals(a, b);
}
std::string_view domain_of(std::string_view address) {
    const auto at = address.rfind('@');
    return at == std::string_view::npos ? std::string_view() : address.substr(at + 1);
}
} // namespace

bool QueueFilter::matches(const QueueEntry& entry, bool is_held) const {
    if (held && *held != is_held) return false;
    if (received_before_ms && entry.received_at_ms >= *received_before_ms) return false;
    if (received_after_ms && entry.received_at_ms < *received_after_ms) return false;
    if (!sender.empty() && !same(entry.envelope.mail_from, sender)) return false;
    const auto& rcpts = entry.envelope.recipients;
    if (!recipient.empty() &&
        std::none_of(rcpts.begin(), rcpts.end(), [&](const auto& r) { return same(r.address, recipient); }))
        return false;
    if (!domain.empty() && std::none_of(rcpts.begin(), rcpts.end(),
                                        [&](const auto& r) { return same(domain_of(r.address), domain); }))
        return false;
    return true;
}

} // namespace mailpush::spool
