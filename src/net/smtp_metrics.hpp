// The SMTP side's metrics (private to the net module): looked up once, updated lock-free.
#pragma once

#include "mailpush/common/metrics.hpp"
#include "mailpush/smtp/server_session.hpp"

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

} // namespace mailpush::net
