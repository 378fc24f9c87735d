// SMTP replies as values: code, enhanced status and text are separate fields until encoding.
// No I/O. The catalogue in reply.cpp is the only place reply texts are written.
#pragma once

#include "mailpush/smtp/enhanced_status.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mailpush::smtp {

// "directmail": the hosted service's texts byte for byte; the replies it documents are sent
// without their enhanced code. "rfc": ENHANCEDSTATUSCODES advertised; every reply after the
// greeting carries x.y.z (RFC 2034).
enum class ReplyStyle { directmail, rfc };

struct Reply {
    std::uint16_t code = 0;
    std::optional<EnhancedStatus> enhanced; // none for 3xx, the greeting and HELO/EHLO
    std::string text;
    bool documented = false; // the hosted service's documented text: directmail style omits `enhanced`
};

// "250 2.1.0 Mail Ok\r\n" or "250 Mail Ok\r\n" depending on style.
std::string encode(const Reply& reply, ReplyStyle style);

// The catalogue: one row per reply the server can send (reply.cpp). The functions in
// `replies` render their row; tests iterate over catalogue() to check every reply.
enum class ReplyId : std::uint8_t {
    greeting,
    helo_ok,
    ok,
    bye,
    vrfy_cannot,
    help,
    not_implemented,
    unknown_command,
    line_too_long,
    bad_sequence,
    need_helo,
    need_mail,
    need_rcpt,
    nested_mail,
    no_valid_recipients,
    syntax_helo,
    syntax_params,
    bad_sender_syntax,
    bad_recipient_syntax,
    unsupported_parameter,
    auth_required,
    sender_mismatch,
    mail_ok,
    rcpt_ok,
    too_many_recipients,
    invalid_rcptto,
    suppressed_rcptto,
    bad_alidm_settings,
    outbound_ip_not_offered,
    tracking_not_verified,
    size_exceeds_limit,
    start_data,
    data_too_big,
    bare_newline,
    queued,
    storage_low,
    header_too_large,
    inflight_full,
    account_unavailable,
    daily_quota_exceeded,
    monthly_quota_exceeded,
    not_enough_quota,
    ip_not_allowed,
    domain_not_verified,
    storage_error,
    auth_already,
    auth_in_transaction,
    auth_mechanism_unknown,
    auth_tls_required,
    auth_challenge,
    auth_ok,
    auth_failed,
    auth_cancelled,
    auth_bad_base64,
    auth_malformed,
    auth_throttled,
    auth_temporary_failure,
    too_many_auth_failures,
    too_many_errors,
    timeout,
    shutting_down,
    too_many_connections,
    tls_ready,
    tls_already_active,
    tls_not_available,
    smtputf8_required,
    from_header_not_allowed,
    from_header_malformed,
    too_many_recipients_rfc,
    null_sender_foreign_recipient,
    submission_rate_exceeded,
    fatigue_blocked,
    no_such_mailbox,
    inbound_one_recipient,
    report_accepted,
    report_not_matched,
    replies_not_accepted,
    report_malformed,
    end_ // not a reply: the number of rows
};

struct ReplyTemplate {
    ReplyId id;
    std::uint16_t code;
    std::optional<EnhancedStatus> enhanced;
    std::string_view text; // "{}" marks where the argument goes (hostname, IP, envid, challenge)
    bool documented;
};

std::span<const ReplyTemplate> catalogue();
Reply render(ReplyId id, std::string_view argument = {});

namespace replies {
Reply greeting(std::string_view hostname);
Reply helo_ok(std::string_view hostname);
Reply ok(); // RSET, NOOP
Reply bye();
Reply vrfy_cannot();
Reply help();
Reply not_implemented();
Reply unknown_command();
Reply line_too_long();
Reply bad_sequence();
Reply need_helo();
Reply need_mail();
Reply need_rcpt();
Reply nested_mail();
Reply no_valid_recipients();
Reply syntax_helo();
Reply syntax_params();
Reply bad_sender_syntax();
Reply bad_recipient_syntax();
Reply unsupported_parameter();
Reply auth_required();
Reply sender_mismatch();
Reply mail_ok();
Reply rcpt_ok();
Reply too_many_recipients();     // directmail style: the seeds' permanent 556
Reply too_many_recipients_rfc(); // rfc style: 452 4.5.3 (RFC 5321 4.5.3.1.10), the client retries them
Reply null_sender_foreign_recipient();
// 451 at MAIL (and at the end of DATA when a concurrent session used the last slot): the
// account's submission rate; `limit` e.g. "at most 100 submissions per 60 s".
Reply submission_rate_exceeded(std::string_view limit);
Reply fatigue_blocked(std::string_view recipient); // 450 at RCPT: the sender->recipient fatigue limit
Reply invalid_rcptto();
Reply suppressed_rcptto();       // RCPT to an address or domain on the account's suppression list
Reply bad_alidm_settings();      // after DATA: X-AliDM-Settings not base64 JSON with known values
Reply outbound_ip_not_offered(); // after DATA: X-AliDM-Settings asks for an IP pool (none exist)
// 550 after DATA: X-AliDM-Trace asks for tracking and `record` (dmtrace.{domain}) is not verified.
Reply tracking_not_verified(std::string_view record);
Reply size_exceeds_limit(); // SIZE= too large at MAIL
Reply start_data();
Reply data_too_big(); // 557 at end of DATA
Reply bare_newline();
Reply queued(std::uint64_t envid);
Reply storage_low();
Reply header_too_large();       // 552: a submitted message's header section past 64 KiB
Reply inflight_full();          // 452: the server's budget for message bodies in memory is spent
Reply account_unavailable();    // 551: the account is suspended
Reply daily_quota_exceeded();   // 552
Reply monthly_quota_exceeded(); // 552
Reply not_enough_quota();       // 552: this RCPT would pass a quota
Reply ip_not_allowed(std::string_view ip);
Reply domain_not_verified();
Reply storage_error();
Reply auth_already();
Reply auth_in_transaction();
Reply auth_mechanism_unknown();
Reply auth_tls_required();
Reply auth_challenge(std::string_view base64_challenge); // 334
Reply auth_ok();
Reply auth_failed();
Reply auth_cancelled();
Reply auth_bad_base64();
Reply auth_malformed();
Reply auth_throttled();
Reply auth_temporary_failure();
Reply too_many_auth_failures(std::string_view hostname);
Reply too_many_errors(std::string_view hostname);
Reply timeout(std::string_view hostname);
Reply shutting_down(std::string_view hostname);
Reply too_many_connections(std::string_view hostname);
Reply tls_ready();
Reply tls_already_active();
Reply tls_not_available();
Reply smtputf8_required();
Reply from_header_not_allowed();
Reply from_header_malformed();
// Inbound mail (docs/inbound.md): unauthenticated mail for the accounts' domains.
Reply no_such_mailbox(std::string_view address); // 550 5.1.1: an account domain, no such local part
Reply inbound_one_recipient();                   // 452 4.5.3: one local recipient per inbound message
Reply report_accepted();                         // 250: a delivery or feedback report was applied
Reply report_not_matched(); // 550 5.7.1: a report on no message this account sent to that recipient
Reply replies_not_accepted(std::string_view address); // 550 5.7.1: no verified reply-to to forward to
Reply report_malformed(); // 550 5.6.0: multipart/report whose report part cannot be read
} // namespace replies

} // namespace mailpush::smtp
