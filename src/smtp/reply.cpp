// The reply catalogue. Texts marked seed=true are quoted from the product documents and
// SPEC §3; the others are our own, written with their enhanced code (SPEC: "sent as written").
#include "mailpush/smtp/reply.hpp"

namespace mailpush::smtp {

std::string encode(const Reply& r, ReplyStyle style) {
    std::string out = std::to_string(r.code);
    out += ' ';
    const bool with_enhanced = !r.enhanced.empty() && (style == ReplyStyle::rfc || !r.seed_text);
    if (with_enhanced) {
        out += r.enhanced;
        if (!r.text.empty()) out += ' ';
    }
    out += r.text;
    out += "\r\n";
    return out;
}

namespace replies {
namespace {
Reply mk(std::uint16_t code, std::string enhanced, std::string text, bool seed = false) {
    return Reply{code, std::move(enhanced), std::move(text), seed};
}
std::string s(std::string_view v) {
    return std::string(v);
}
} // namespace

Reply greeting(std::string_view host) {
    return mk(220, "", s(host) + " ESMTP mailpush");
}
Reply helo_ok(std::string_view host) {
    return mk(250, "", s(host));
}
Reply ok() {
    return mk(250, "2.0.0", "Ok");
}
Reply bye() {
    return mk(221, "2.0.0", "Bye", true);
}
Reply vrfy_cannot() {
    return mk(252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery");
}
Reply help() {
    return mk(214, "2.0.0", "Commands: EHLO HELO AUTH MAIL RCPT DATA RSET NOOP VRFY HELP QUIT STARTTLS");
}
Reply not_implemented() {
    return mk(502, "5.5.1", "Command not implemented");
}
Reply unknown_command() {
    return mk(500, "5.5.2", "Syntax error, command unrecognized");
}
Reply line_too_long() {
    return mk(500, "5.5.2", "Line too long");
}
Reply bad_sequence() {
    return mk(503, "5.5.1", "Bad sequence of commands");
}
Reply need_helo() {
    return mk(503, "5.5.1", "Send HELO/EHLO first");
}
Reply need_mail() {
    return mk(503, "5.5.1", "Need MAIL command");
}
Reply need_rcpt() {
    return mk(503, "5.5.1", "Need RCPT command");
}
Reply nested_mail() {
    return mk(503, "5.5.1", "Sender already specified");
}
Reply no_valid_recipients() {
    return mk(554, "5.5.1", "No valid recipients");
}
Reply syntax_helo() {
    return mk(501, "5.5.4", "Syntax: EHLO hostname");
}
Reply syntax_params() {
    return mk(501, "5.5.4", "Syntax error in parameters or arguments");
}
Reply bad_sender_syntax() {
    return mk(501, "5.1.7", "Bad sender address syntax");
}
Reply bad_recipient_syntax() {
    return mk(501, "5.1.3", "Bad recipient address syntax");
}
Reply unsupported_parameter() {
    return mk(555, "5.5.4", "Unsupported MAIL/RCPT parameter");
}
Reply auth_required() {
    return mk(530, "5.7.0", "Authentication required");
}
Reply sender_mismatch() {
    return mk(553, "5.7.1", "Sender address does not match the authenticated user");
}
Reply mail_ok() {
    return mk(250, "2.1.0", "Mail Ok", true);
}
Reply rcpt_ok() {
    return mk(250, "2.1.5", "Rcpt Ok", true);
}
Reply too_many_recipients() {
    return mk(556, "5.5.3", "The number of RCPTs is over size", true);
}
Reply invalid_rcptto() {
    return mk(559, "5.1.1", "Invalid rcptto", true);
}
Reply size_exceeds_limit() {
    return mk(552, "5.3.4", "Message size exceeds fixed maximum message size");
}
Reply start_data() {
    return mk(354, "", "End data with <CR><LF>.<CR><LF>", true);
}
Reply data_too_big() {
    return mk(557, "5.3.4", "The length of DATA content is achieved the maximum threshold", true);
}
Reply bare_newline() {
    return mk(554, "5.6.11", "Message contains bare CR or LF, rejected");
}
Reply queued(std::uint64_t envid) {
    return mk(250, "2.0.0", "Data Ok: queued as freedom ###envid=" + std::to_string(envid), true);
}
Reply account_unavailable() {
    return mk(551, "5.7.1", "Main account unavailable", true);
}
Reply daily_quota_exceeded() {
    return mk(552, "5.7.0", "Daily sending quota exceeded", true);
}
Reply monthly_quota_exceeded() {
    return mk(552, "5.7.0", "Monthly sending quota exceeded", true);
}
Reply not_enough_quota() {
    return mk(552, "5.7.0", "Not enough sending quota", true);
}
Reply ip_not_allowed(std::string_view ip) {
    return mk(554, "5.7.1", "IP protection: " + std::string(ip) + " is not in the account's allowed IPs");
}
Reply domain_not_verified() {
    return mk(554, "5.7.1", "Sender domain is not verified");
}
Reply storage_low() {
    return mk(452, "4.3.1", "Insufficient system storage");
}
Reply storage_error() {
    return mk(451, "4.3.0", "Queue write error, try again later");
}
Reply auth_already() {
    return mk(503, "5.5.1", "Already authenticated");
}
Reply auth_in_transaction() {
    return mk(503, "5.5.1", "AUTH not allowed during a mail transaction");
}
Reply auth_mechanism_unknown() {
    return mk(504, "5.5.4", "Unrecognized authentication type");
}
Reply auth_tls_required() {
    return mk(530, "5.7.0", "Must issue a STARTTLS command first");
}
Reply auth_challenge(std::string_view b64) {
    return mk(334, "", s(b64), true);
}
Reply auth_ok() {
    return mk(235, "2.7.0", "Authentication successful", true);
}
Reply auth_failed() {
    return mk(535, "5.7.8", "Authentication failure", true);
}
Reply auth_cancelled() {
    return mk(501, "5.7.0", "Authentication cancelled");
}
Reply auth_bad_base64() {
    return mk(501, "5.5.2", "Cannot decode response");
}
Reply auth_malformed() {
    return mk(501, "5.5.2", "Malformed authentication response");
}
Reply auth_throttled() {
    return mk(454, "4.7.0", "Too many authentication failures from your address, try again later");
}
Reply auth_temporary_failure() {
    return mk(454, "4.7.0", "Temporary authentication failure");
}
Reply too_many_auth_failures(std::string_view host) {
    return mk(421, "4.7.0", s(host) + " Too many failed authentication attempts");
}
Reply too_many_errors(std::string_view host) {
    return mk(421, "4.7.0", s(host) + " Error: too many errors");
}
Reply timeout(std::string_view host) {
    return mk(421, "4.4.2", s(host) + " Error: timeout exceeded");
}
Reply shutting_down(std::string_view host) {
    return mk(421, "4.3.2", s(host) + " Service shutting down");
}
Reply too_many_connections(std::string_view host) {
    return mk(421, "4.7.0", s(host) + " Too many connections");
}
Reply tls_ready() {
    return mk(220, "2.0.0", "Ready to start TLS");
}
Reply tls_already_active() {
    return mk(503, "5.5.1", "TLS already active");
}
Reply tls_not_available() {
    return mk(454, "4.7.0", "TLS not available");
}
Reply smtputf8_required() {
    return mk(553, "5.6.7", "Non-ASCII address requires SMTPUTF8");
}
} // namespace replies

} // namespace mailpush::smtp
