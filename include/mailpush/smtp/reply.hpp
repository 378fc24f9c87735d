// SMTP replies as values: code, enhanced status and text are separate fields until encoding.
// No I/O. The catalogue (replies::*) is the only place reply texts are written.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mailpush::smtp {

// "directmail": the hosted service's texts byte for byte, no enhanced codes on the seeds' texts.
// "rfc": ENHANCEDSTATUSCODES advertised; every reply after the greeting carries x.y.z (RFC 2034).
enum class ReplyStyle { directmail, rfc };

struct Reply {
    std::uint16_t code = 0;
    std::string enhanced; // "5.7.8"; empty for 3xx and the greeting
    std::string text;
    bool seed_text = false; // quoted from the seeds: directmail style sends it without `enhanced`
};

// "250 2.1.0 Mail Ok\r\n" or "250 Mail Ok\r\n" depending on style.
std::string encode(const Reply& reply, ReplyStyle style);

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
Reply too_many_recipients();
Reply invalid_rcptto();
Reply size_exceeds_limit(); // SIZE= too large at MAIL
Reply start_data();
Reply data_too_big(); // 557 at end of DATA
Reply bare_newline();
Reply queued(std::uint64_t envid);
Reply storage_low();
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
} // namespace replies

} // namespace mailpush::smtp
