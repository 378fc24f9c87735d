// The SMTP side's metrics (private to the net module): looked up once, updated lock-free.
#pragma once

#include "mailpush/common/metrics.hpp"
#include "mailpush/smtp/server_session.hpp"
#include "mailpush/store/store.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace mailpush::net {

struct SmtpMetrics {
    metrics::Counter& connections;
    metrics::Counter& auth_ok;
    metrics::Counter& auth_failed;
    metrics::Counter& auth_throttled;
    metrics::Counter& auth_unavailable;
    metrics::Counter& messages;
    metrics::Counter& recipients;
    metrics::Counter& commit_failures;
    metrics::Histogram& commit_seconds;
};

SmtpMetrics& smtp_metrics();

void count_auth(smtp::AuthVerdict verdict);

// Every 4xx/5xx reply the server sends, by code (`mailpush_smtp_replies_total{code=...}`).
void count_error_replies(std::string_view wire);

// A policy refusal at MAIL/RCPT, by reason (quota_daily, ip_protection, ...).
void count_rejection(const char* reason);

// The monitor item (docs/monitoring.md) a refusal counts toward, by its code and enhanced
// status: too long (x.3.4), quota (552 5.7.0), invalid address (559).
std::optional<store::MonitorItem> monitor_item_of(const smtp::Reply& reply);
// Counts `item` for the account of the sender address `address` (nothing for an unknown one).
void count_monitor(store::Store& store, const std::string& address, store::MonitorItem item);

} // namespace mailpush::net
