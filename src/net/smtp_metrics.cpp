#include "smtp_metrics.hpp"

#include "mailpush/common/calendar.hpp"

namespace mailpush::net {
namespace {
metrics::Counter& auth_counter(const char* result) {
    return metrics::registry().counter("mailpush_smtp_auth_total", "SMTP AUTH attempts by result",
                                       {{"result", result}});
}
} // namespace

SmtpMetrics& smtp_metrics() {
    auto& r = metrics::registry();
    static SmtpMetrics m{
        r.counter("mailpush_smtp_connections_total", "SMTP connections accepted"),
        auth_counter("success"),
        auth_counter("failure"),
        auth_counter("throttled"),
        auth_counter("unavailable"),
        r.counter("mailpush_smtp_messages_total", "Messages accepted by SMTP (committed, 250 sent)"),
        r.counter("mailpush_smtp_recipients_total",
                  "Recipients of messages accepted by SMTP, lists expanded"),
        r.counter("mailpush_smtp_commit_failures_total", "Spool commits that failed (451 sent)"),
        r.histogram("mailpush_smtp_commit_seconds", "Time from the end of DATA to the commit's result"),
    };
    return m;
}

void count_auth(smtp::AuthVerdict verdict) {
    auto& m = smtp_metrics();
    switch (verdict) {
    case smtp::AuthVerdict::ok:
        return m.auth_ok.add();
    case smtp::AuthVerdict::failed:
        return m.auth_failed.add();
    case smtp::AuthVerdict::throttled:
        return m.auth_throttled.add();
    case smtp::AuthVerdict::temporary_failure:
        return m.auth_unavailable.add();
    }
}

void count_error_replies(std::string_view wire) {
    std::size_t start = 0;
    while (start + 3 < wire.size()) {
        const auto end = wire.find("\r\n", start);
        const auto line =
            wire.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        // The last line of a reply ("550 ..." rather than "550-..."), 4xx or 5xx.
        if (line.size() >= 3 && (line[0] == '4' || line[0] == '5') && (line.size() == 3 || line[3] == ' '))
            metrics::registry()
                .counter("mailpush_smtp_replies_total", "SMTP error replies sent, by code",
                         {{"code", std::string(line.substr(0, 3))}})
                .add();
        if (end == std::string_view::npos) break;
        start = end + 2;
    }
}

void count_rejection(const char* reason) {
    metrics::registry()
        .counter("mailpush_smtp_rejections_total", "Account-policy refusals at MAIL/RCPT, by reason",
                 {{"reason", reason}})
        .add();
}

std::optional<store::MonitorItem> monitor_item_of(const smtp::Reply& reply) {
    const auto& e = reply.enhanced;
    if (e && e->subject == 3 && e->detail == 4) return store::MonitorItem::smtp_error_length;
    if (reply.code == 552 && e && e->subject == 7 && e->detail == 0)
        return store::MonitorItem::smtp_error_quota;
    if (reply.code == 559) return store::MonitorItem::smtp_error_invalid;
    return std::nullopt;
}

void count_monitor(store::Store& store, const std::string& address, store::MonitorItem item) {
    if (address.empty()) return;
    const auto dir = store.directory();
    if (const auto* sender = dir->sender(address))
        store.monitor().add(sender->account, item, common::unix_ms_now());
}

} // namespace mailpush::net
