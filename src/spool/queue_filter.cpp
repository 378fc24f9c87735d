#include "mailpush/spool/queue_filter.hpp"

#include "mailpush/common/strings.hpp"

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
    const auto& env = *entry.envelope;
    if (!sender.empty() && !same(env.mail_from(), sender)) return false;
    const auto any_rcpt = [&](auto&& pred) {
        for (std::size_t i = 0; i < env.recipient_count(); ++i)
            if (pred(env.address(i))) return true;
        return false;
    };
    if (!recipient.empty() && !any_rcpt([&](std::string_view a) { return same(a, recipient); })) return false;
    if (!domain.empty() && !any_rcpt([&](std::string_view a) { return same(domain_of(a), domain); }))
        return false;
    return true;
}

} // namespace mailpush::spool
