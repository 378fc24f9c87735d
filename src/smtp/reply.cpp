// The reply catalogue: every reply the server sends is one row here. Rows marked `documented`
// quote the hosted service's documents byte for byte; the others are our own texts, sent with
// their enhanced code in both styles.
#include "mailpush/smtp/reply.hpp"

#include <array>

namespace mailpush::smtp {

std::string encode(const Reply& r, ReplyStyle style) {
    std::string out = std::to_string(r.code);
    out += ' ';
    if (r.enhanced && (style == ReplyStyle::rfc || !r.documented)) {
        out += to_string(*r.enhanced);
        if (!r.text.empty()) out += ' ';
    }
    out += r.text;
    out += "\r\n";
    return out;
}

namespace {
using Status = EnhancedStatus;
constexpr bool kDocumented = true;
constexpr bool kOwn = false;

constexpr std::array<ReplyTemplate, static_cast<std::size_t>(ReplyId::end_)> kCatalogue{{
    {ReplyId::greeting, 220, std::nullopt, "{} ESMTP mailpush", kOwn},
    {ReplyId::helo_ok, 250, std::nullopt, "{}", kOwn},
    {ReplyId::ok, 250, Status{2, 0, 0}, "Ok", kOwn},
    {ReplyId::bye, 221, Status{2, 0, 0}, "Bye", kDocumented},
    {ReplyId::vrfy_cannot, 252, Status{2, 5, 2},
     "Cannot VRFY user, but will accept message and attempt delivery", kOwn},
    {ReplyId::help, 214, Status{2, 0, 0},
     "Commands: EHLO HELO AUTH MAIL RCPT DATA RSET NOOP VRFY HELP QUIT STARTTLS", kOwn},
    {ReplyId::not_implemented, 502, Status{5, 5, 1}, "Command not implemented", kOwn},
    {ReplyId::unknown_command, 500, Status{5, 5, 2}, "Syntax error, command unrecognized", kOwn},
    {ReplyId::line_too_long, 500, Status{5, 5, 2}, "Line too long", kOwn},
    {ReplyId::bad_sequence, 503, Status{5, 5, 1}, "Bad sequence of commands", kOwn},
    {ReplyId::need_helo, 503, Status{5, 5, 1}, "Send HELO/EHLO first", kOwn},
    {ReplyId::need_mail, 503, Status{5, 5, 1}, "Need MAIL command", kOwn},
    {ReplyId::need_rcpt, 503, Status{5, 5, 1}, "Need RCPT command", kOwn},
    {ReplyId::nested_mail, 503, Status{5, 5, 1}, "Sender already specified", kOwn},
    {ReplyId::no_valid_recipients, 554, Status{5, 5, 1}, "No valid recipients", kOwn},
    {ReplyId::syntax_helo, 501, Status{5, 5, 4}, "Syntax: EHLO hostname", kOwn},
    {ReplyId::syntax_params, 501, Status{5, 5, 4}, "Syntax error in parameters or arguments", kOwn},
    {ReplyId::bad_sender_syntax, 501, Status{5, 1, 7}, "Bad sender address syntax", kOwn},
    {ReplyId::bad_recipient_syntax, 501, Status{5, 1, 3}, "Bad recipient address syntax", kOwn},
    {ReplyId::unsupported_parameter, 555, Status{5, 5, 4}, "Unsupported MAIL/RCPT parameter", kOwn},
    {ReplyId::auth_required, 530, Status{5, 7, 0}, "Authentication required", kOwn},
    {ReplyId::sender_mismatch, 553, Status{5, 7, 1}, "Sender address does not match the authenticated user",
     kOwn},
    {ReplyId::mail_ok, 250, Status{2, 1, 0}, "Mail Ok", kDocumented},
    {ReplyId::rcpt_ok, 250, Status{2, 1, 5}, "Rcpt Ok", kDocumented},
    {ReplyId::too_many_recipients, 556, Status{5, 5, 3}, "The number of RCPTs is over size", kDocumented},
    {ReplyId::invalid_rcptto, 559, Status{5, 1, 1}, "Invalid rcptto", kDocumented},
    {ReplyId::suppressed_rcptto, 550, Status{5, 7, 1}, "Recipient is on the account's suppression list",
     kOwn},
    {ReplyId::bad_alidm_settings, 550, Status{5, 6, 0}, "Malformed X-AliDM-Settings header", kOwn},
    {ReplyId::outbound_ip_not_offered, 550, Status{5, 6, 0},
     "X-AliDM-Settings OutboundIp is not offered: this server has no IP pools", kOwn},
    {ReplyId::tracking_not_verified, 550, Status{5, 7, 1},
     "Tracking requested, but the sender domain's tracking record (CNAME {}) is not verified", kOwn},
    {ReplyId::size_exceeds_limit, 552, Status{5, 3, 4}, "Message size exceeds fixed maximum message size",
     kOwn},
    {ReplyId::start_data, 354, std::nullopt, "End data with <CR><LF>.<CR><LF>", kDocumented},
    {ReplyId::data_too_big, 557, Status{5, 3, 4},
     "The length of DATA content is achieved the maximum threshold", kDocumented},
    {ReplyId::bare_newline, 554, Status{5, 6, 11}, "Message contains bare CR or LF, rejected", kOwn},
    {ReplyId::queued, 250, Status{2, 0, 0}, "Data Ok: queued as freedom ###envid={}", kDocumented},
    {ReplyId::storage_low, 452, Status{4, 3, 1}, "Insufficient system storage", kOwn},
    {ReplyId::header_too_large, 552, Status{5, 3, 4}, "Message header section too large (at most 64 KiB)",
     kOwn},
    {ReplyId::inflight_full, 452, Status{4, 3, 1}, "Too much mail in progress, try again later", kOwn},
    {ReplyId::account_unavailable, 551, Status{5, 7, 1}, "Main account unavailable", kDocumented},
    {ReplyId::daily_quota_exceeded, 552, Status{5, 7, 0}, "Daily sending quota exceeded", kDocumented},
    {ReplyId::monthly_quota_exceeded, 552, Status{5, 7, 0}, "Monthly sending quota exceeded", kDocumented},
    {ReplyId::not_enough_quota, 552, Status{5, 7, 0}, "Not enough sending quota", kDocumented},
    {ReplyId::ip_not_allowed, 554, Status{5, 7, 1}, "IP protection: {} is not in the account's allowed IPs",
     kOwn},
    {ReplyId::domain_not_verified, 554, Status{5, 7, 1}, "Sender domain is not verified", kOwn},
    {ReplyId::storage_error, 451, Status{4, 3, 0}, "Queue write error, try again later", kOwn},
    {ReplyId::auth_already, 503, Status{5, 5, 1}, "Already authenticated", kOwn},
    {ReplyId::auth_in_transaction, 503, Status{5, 5, 1}, "AUTH not allowed during a mail transaction", kOwn},
    {ReplyId::auth_mechanism_unknown, 504, Status{5, 5, 4}, "Unrecognized authentication type", kOwn},
    {ReplyId::auth_tls_required, 530, Status{5, 7, 0}, "Must issue a STARTTLS command first", kOwn},
    {ReplyId::auth_challenge, 334, std::nullopt, "{}", kDocumented},
    {ReplyId::auth_ok, 235, Status{2, 7, 0}, "Authentication successful", kDocumented},
    {ReplyId::auth_failed, 535, Status{5, 7, 8}, "Authentication failure", kDocumented},
    {ReplyId::auth_cancelled, 501, Status{5, 7, 0}, "Authentication cancelled", kOwn},
    {ReplyId::auth_bad_base64, 501, Status{5, 5, 2}, "Cannot decode response", kOwn},
    {ReplyId::auth_malformed, 501, Status{5, 5, 2}, "Malformed authentication response", kOwn},
    {ReplyId::auth_throttled, 454, Status{4, 7, 0},
     "Too many authentication failures from your address, try again later", kOwn},
    {ReplyId::auth_temporary_failure, 454, Status{4, 7, 0}, "Temporary authentication failure", kOwn},
    {ReplyId::too_many_auth_failures, 421, Status{4, 7, 0}, "{} Too many failed authentication attempts",
     kOwn},
    {ReplyId::too_many_errors, 421, Status{4, 7, 0}, "{} Error: too many errors", kOwn},
    {ReplyId::timeout, 421, Status{4, 4, 2}, "{} Error: timeout exceeded", kOwn},
    {ReplyId::shutting_down, 421, Status{4, 3, 2}, "{} Service shutting down", kOwn},
    {ReplyId::too_many_connections, 421, Status{4, 7, 0}, "{} Too many connections", kOwn},
    {ReplyId::tls_ready, 220, Status{2, 0, 0}, "Ready to start TLS", kOwn},
    {ReplyId::tls_already_active, 503, Status{5, 5, 1}, "TLS already active", kOwn},
    {ReplyId::tls_not_available, 454, Status{4, 7, 0}, "TLS not available", kOwn},
    {ReplyId::smtputf8_required, 553, Status{5, 6, 7}, "Non-ASCII address requires SMTPUTF8", kOwn},
    {ReplyId::from_header_not_allowed, 550, Status{5, 7, 1}, "From header not allowed for this sender", kOwn},
    {ReplyId::from_header_malformed, 550, Status{5, 6, 0}, "Malformed From or Sender header", kOwn},
    {ReplyId::too_many_recipients_rfc, 452, Status{4, 5, 3}, "Too many recipients", kOwn},
    {ReplyId::null_sender_foreign_recipient, 550, Status{5, 7, 1},
     "A null sender may only send to the account's own addresses", kOwn},
    {ReplyId::submission_rate_exceeded, 451, Status{4, 7, 1},
     "Account sending rate limit exceeded ({}), try again later", kOwn},
    {ReplyId::fatigue_blocked, 450, Status{4, 7, 1},
     "<{}>: sending frequency limit: too many messages from this sender to this recipient (fatigue), "
     "try again later",
     kOwn},
    {ReplyId::no_such_mailbox, 550, Status{5, 1, 1}, "<{}>: no such mailbox here", kOwn},
    {ReplyId::inbound_one_recipient, 452, Status{4, 5, 3},
     "One recipient per message without authentication, send the others separately", kOwn},
    {ReplyId::report_accepted, 250, Status{2, 0, 0}, "Report accepted", kOwn},
    {ReplyId::report_not_matched, 550, Status{5, 7, 1},
     "Report does not match a message this account sent to that recipient", kOwn},
    {ReplyId::replies_not_accepted, 550, Status{5, 7, 1}, "<{}> does not accept replies", kOwn},
    {ReplyId::report_malformed, 550, Status{5, 6, 0}, "Malformed report: its report part cannot be read",
     kOwn},
}};

constexpr bool rows_in_id_order() {
    for (std::size_t i = 0; i < kCatalogue.size(); ++i)
        if (static_cast<std::size_t>(kCatalogue[i].id) != i) return false;
    return true;
}
static_assert(rows_in_id_order(), "one row per ReplyId, in the enum's order");
} // namespace

std::span<const ReplyTemplate> catalogue() {
    return kCatalogue;
}

Reply render(ReplyId id, std::string_view argument) {
    const ReplyTemplate& row = kCatalogue[static_cast<std::size_t>(id)];
    Reply r{row.code, row.enhanced, std::string(row.text), row.documented};
    if (const auto slot = r.text.find("{}"); slot != std::string::npos) r.text.replace(slot, 2, argument);
    return r;
}

namespace replies {
Reply greeting(std::string_view host) {
    return render(ReplyId::greeting, host);
}
Reply helo_ok(std::string_view host) {
    return render(ReplyId::helo_ok, host);
}
Reply ok() {
    return render(ReplyId::ok);
}
Reply bye() {
    return render(ReplyId::bye);
}
Reply vrfy_cannot() {
    return render(ReplyId::vrfy_cannot);
}
Reply help() {
    return render(ReplyId::help);
}
Reply not_implemented() {
    return render(ReplyId::not_implemented);
}
Reply unknown_command() {
    return render(ReplyId::unknown_command);
}
Reply line_too_long() {
    return render(ReplyId::line_too_long);
}
Reply bad_sequence() {
    return render(ReplyId::bad_sequence);
}
Reply need_helo() {
    return render(ReplyId::need_helo);
}
Reply need_mail() {
    return render(ReplyId::need_mail);
}
Reply need_rcpt() {
    return render(ReplyId::need_rcpt);
}
Reply nested_mail() {
    return render(ReplyId::nested_mail);
}
Reply no_valid_recipients() {
    return render(ReplyId::no_valid_recipients);
}
Reply syntax_helo() {
    return render(ReplyId::syntax_helo);
}
Reply syntax_params() {
    return render(ReplyId::syntax_params);
}
Reply bad_sender_syntax() {
    return render(ReplyId::bad_sender_syntax);
}
Reply bad_recipient_syntax() {
    return render(ReplyId::bad_recipient_syntax);
}
Reply unsupported_parameter() {
    return render(ReplyId::unsupported_parameter);
}
Reply auth_required() {
    return render(ReplyId::auth_required);
}
Reply sender_mismatch() {
    return render(ReplyId::sender_mismatch);
}
Reply mail_ok() {
    return render(ReplyId::mail_ok);
}
Reply rcpt_ok() {
    return render(ReplyId::rcpt_ok);
}
Reply too_many_recipients() {
    return render(ReplyId::too_many_recipients);
}
Reply too_many_recipients_rfc() {
    return render(ReplyId::too_many_recipients_rfc);
}
Reply null_sender_foreign_recipient() {
    return render(ReplyId::null_sender_foreign_recipient);
}
Reply submission_rate_exceeded(std::string_view limit) {
    return render(ReplyId::submission_rate_exceeded, limit);
}
Reply fatigue_blocked(std::string_view recipient) {
    return render(ReplyId::fatigue_blocked, recipient);
}
Reply invalid_rcptto() {
    return render(ReplyId::invalid_rcptto);
}
Reply suppressed_rcptto() {
    return render(ReplyId::suppressed_rcptto);
}
Reply bad_alidm_settings() {
    return render(ReplyId::bad_alidm_settings);
}
Reply outbound_ip_not_offered() {
    return render(ReplyId::outbound_ip_not_offered);
}
Reply tracking_not_verified(std::string_view record) {
    return render(ReplyId::tracking_not_verified, record);
}
Reply size_exceeds_limit() {
    return render(ReplyId::size_exceeds_limit);
}
Reply start_data() {
    return render(ReplyId::start_data);
}
Reply data_too_big() {
    return render(ReplyId::data_too_big);
}
Reply bare_newline() {
    return render(ReplyId::bare_newline);
}
Reply queued(std::uint64_t envid) {
    return render(ReplyId::queued, std::to_string(envid));
}
Reply storage_low() {
    return render(ReplyId::storage_low);
}

Reply header_too_large() {
    return render(ReplyId::header_too_large);
}

Reply inflight_full() {
    return render(ReplyId::inflight_full);
}
Reply account_unavailable() {
    return render(ReplyId::account_unavailable);
}
Reply daily_quota_exceeded() {
    return render(ReplyId::daily_quota_exceeded);
}
Reply monthly_quota_exceeded() {
    return render(ReplyId::monthly_quota_exceeded);
}
Reply not_enough_quota() {
    return render(ReplyId::not_enough_quota);
}
Reply ip_not_allowed(std::string_view ip) {
    return render(ReplyId::ip_not_allowed, ip);
}
Reply domain_not_verified() {
    return render(ReplyId::domain_not_verified);
}
Reply storage_error() {
    return render(ReplyId::storage_error);
}
Reply auth_already() {
    return render(ReplyId::auth_already);
}
Reply auth_in_transaction() {
    return render(ReplyId::auth_in_transaction);
}
Reply auth_mechanism_unknown() {
    return render(ReplyId::auth_mechanism_unknown);
}
Reply auth_tls_required() {
    return render(ReplyId::auth_tls_required);
}
Reply auth_challenge(std::string_view b64) {
    return render(ReplyId::auth_challenge, b64);
}
Reply auth_ok() {
    return render(ReplyId::auth_ok);
}
Reply auth_failed() {
    return render(ReplyId::auth_failed);
}
Reply auth_cancelled() {
    return render(ReplyId::auth_cancelled);
}
Reply auth_bad_base64() {
    return render(ReplyId::auth_bad_base64);
}
Reply auth_malformed() {
    return render(ReplyId::auth_malformed);
}
Reply auth_throttled() {
    return render(ReplyId::auth_throttled);
}
Reply auth_temporary_failure() {
    return render(ReplyId::auth_temporary_failure);
}
Reply too_many_auth_failures(std::string_view host) {
    return render(ReplyId::too_many_auth_failures, host);
}
Reply too_many_errors(std::string_view host) {
    return render(ReplyId::too_many_errors, host);
}
Reply timeout(std::string_view host) {
    return render(ReplyId::timeout, host);
}
Reply shutting_down(std::string_view host) {
    return render(ReplyId::shutting_down, host);
}
Reply too_many_connections(std::string_view host) {
    return render(ReplyId::too_many_connections, host);
}
Reply tls_ready() {
    return render(ReplyId::tls_ready);
}
Reply tls_already_active() {
    return render(ReplyId::tls_already_active);
}
Reply tls_not_available() {
    return render(ReplyId::tls_not_available);
}
Reply smtputf8_required() {
    return render(ReplyId::smtputf8_required);
}
Reply from_header_not_allowed() {
    return render(ReplyId::from_header_not_allowed);
}
Reply from_header_malformed() {
    return render(ReplyId::from_header_malformed);
}
Reply no_such_mailbox(std::string_view address) {
    return render(ReplyId::no_such_mailbox, address);
}
Reply inbound_one_recipient() {
    return render(ReplyId::inbound_one_recipient);
}
Reply report_accepted() {
    return render(ReplyId::report_accepted);
}
Reply report_not_matched() {
    return render(ReplyId::report_not_matched);
}
Reply replies_not_accepted(std::string_view address) {
    return render(ReplyId::replies_not_accepted, address);
}
Reply report_malformed() {
    return render(ReplyId::report_malformed);
}
} // namespace replies

} // namespace mailpush::smtp
