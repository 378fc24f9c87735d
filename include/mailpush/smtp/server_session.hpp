// The SMTP submission session as a sans-I/O state machine (SPEC §3, RFC 5321, 2920, 3207, 4954).
// Bytes in, reply bytes and at most one Action out; the driver performs the action (credential
// check, spool commit, TLS handshake) and feeds the result back. Handles untrusted input.
// It must not do I/O, block, read clocks or draw random numbers.
#pragma once

#include "mailpush/smtp/data_reader.hpp"
#include "mailpush/smtp/reply.hpp"
#include "mailpush/smtp/sasl.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::smtp {

struct SessionLimits {
    std::string hostname = "localhost";
    ReplyStyle style = ReplyStyle::directmail;
    std::size_t max_message_bytes = 15 * 1024 * 1024;
    std::size_t max_recipients = 30;
    std::size_t max_line_length = 2048; // a command line, CRLF included
    unsigned max_errors = 20;           // then 421 and close
    unsigned max_auth_failures = 5;     // per connection, then 421 and close
    bool starttls_available = false;    // listener does STARTTLS and a certificate is loaded
    bool tls_active = false;            // implicit TLS listener
    bool auth_requires_tls = false;
};

struct Recipient {
    std::string address;
    std::string notify; // RFC 3461 NOTIFY value, upper-cased; empty if absent
    std::string orcpt;
};

struct Envelope {
    std::string mail_from;
    std::string auth_user;
    std::vector<Recipient> recipients;
    std::string body_type = "7BIT"; // or 8BITMIME
    bool smtputf8 = false;
    std::string ret;       // FULL / HDRS / empty
    std::string dsn_envid; // RFC 3461 ENVID, xtext
    std::uint64_t declared_size = 0;
    bool tls = false;
    std::string helo;
};

// Cheap, non-blocking checks answered from memory by the owner (storage state, account
// status, invalid-address library). nullopt means "accept".
class SessionPolicy {
public:
    virtual ~SessionPolicy() = default;
    virtual std::optional<Reply> check_mail(const Envelope& envelope) = 0;
    virtual std::optional<Reply> check_rcpt(const Envelope& envelope, std::string_view recipient) = 0;
};

enum class ActionKind { none, verify_credentials, commit_message, start_tls };

struct Action {
    ActionKind kind = ActionKind::none;
    Credentials credentials; // verify_credentials
    Envelope envelope;       // commit_message
    std::string body;        // commit_message: the message, dot-stuffing removed
};

struct Output {
    std::string wire;   // reply bytes to send, possibly several pipelined replies
    Action action;      // at most one; the session waits for its result
    bool close = false; // close after sending `wire`
    bool delay = false; // a failed AUTH: send after a short random delay
};

enum class AuthVerdict { ok, failed, throttled, temporary_failure };

struct CommitResult {
    bool ok = false;
    std::uint64_t envid = 0;
    std::optional<Reply> refusal; // not stored on purpose (e.g. the quota ran out meanwhile)
};

class ServerSession {
public:
    ServerSession(SessionLimits limits, SessionPolicy& policy);

    Output on_connect();
    Output on_input(std::string_view bytes);
    Output on_auth_result(AuthVerdict verdict);
    Output on_commit_result(CommitResult result);
    Output on_tls_established();
    Output on_timeout();
    Output on_shutdown(); // 421 and close; the driver calls it only between transactions

    bool in_data() const noexcept { return phase_ == Phase::data; }
    bool in_transaction() const noexcept { return tx_.has_value() || phase_ == Phase::data; }
    bool closed() const noexcept { return phase_ == Phase::closed; }
    bool authenticated() const noexcept { return !auth_user_.empty(); }
    const std::string& auth_user() const noexcept { return auth_user_; }
    std::size_t buffered() const noexcept { return buffer_.size() - pos_; }

private:
    enum class Phase { command, auth_plain, auth_login_user, auth_login_pass, data, waiting, closed };

    void process();
    bool process_data();
    bool next_line(std::string_view& line);
    void handle_line(std::string_view line);
    void handle_command(std::string_view line);
    void handle_auth_response(std::string_view line);
    void cmd_helo(std::string_view args, bool extended);
    void cmd_auth(std::string_view args);
    void cmd_mail(std::string_view args);
    void cmd_rcpt(std::string_view args);
    void cmd_data(std::string_view args);
    void cmd_starttls(std::string_view args);
    void finish_data();
    void request_credentials_check(Credentials creds);
    void reply(const Reply& r);
    void close_with(const Reply& r);
    void reset_transaction();

    SessionLimits limits_;
    SessionPolicy& policy_;
    Phase phase_ = Phase::command;
    std::string buffer_;
    std::size_t pos_ = 0;
    bool discarding_long_line_ = false;
    std::string helo_;
    std::string auth_user_;
    std::string login_user_;   // AUTH LOGIN: username between the two prompts
    std::string pending_user_; // username whose credentials are being checked
    unsigned errors_ = 0;
    unsigned auth_failures_ = 0;
    std::optional<Envelope> tx_;
    unsigned rcpt_attempts_ = 0;
    std::unique_ptr<DataReader> data_;
    Output out_;
};

// EHLO reply lines (SPEC §3 order), for tests and the driver.
std::string ehlo_reply(const SessionLimits& limits, bool tls_active);

} // namespace mailpush::smtp
