// The SMTP submission session as a sans-I/O state machine (docs/smtp.md; RFC 5321, 2920, 3207, 4954).
// Bytes in, reply bytes and at most one Action out; the driver performs the action (credential
// check, spool commit, TLS handshake) and feeds the result back. Handles untrusted input.
// It must not do I/O, block, read clocks or draw random numbers.
#pragma once

#include "mailpush/smtp/author_headers.hpp"
#include "mailpush/smtp/commit_result.hpp"
#include "mailpush/smtp/data_reader.hpp"
#include "mailpush/smtp/envelope.hpp"
#include "mailpush/smtp/reply.hpp"
#include "mailpush/smtp/sasl.hpp"

#include <cstdint>
#include <functional>
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
    // Unauthenticated mail for the accounts' domains (bounces, complaints, replies) is accepted:
    // MAIL from anyone, then exactly one local recipient (docs/inbound.md). Off: MAIL needs AUTH.
    bool inbound = false;
    FromHeaderPolicy from_header_policy = FromHeaderPolicy::account_domains;
};

// What an address is to unauthenticated (inbound) mail.
enum class InboundRecipient {
    foreign,        // not on an account's domain: relaying, needs AUTH
    local,          // a sender address of an account, or postmaster@/abuse@ of an account's domain
    unknown_mailbox // on an account's domain, but no such local part
};

// Cheap, non-blocking checks answered from memory by the owner (storage state, account
// status, invalid-address library). nullopt means "accept".
class SessionPolicy {
public:
    virtual ~SessionPolicy() = default;
    virtual std::optional<Reply> check_mail(const Envelope& envelope) = 0;
    virtual std::optional<Reply> check_rcpt(const Envelope& envelope, std::string_view recipient) = 0;
    // Whether the authenticated sender may name `address` in From:/Sender: (policy
    // account-domains). Default: only the AUTH address itself.
    virtual bool may_author(const Envelope& envelope, std::string_view address);
    // Whether `address` is one of the authenticated sender's account's own addresses: the only
    // recipients a null reverse-path (MAIL FROM:<>, its own MTA's bounces) may have. Default:
    // only the AUTH address itself.
    virtual bool owns_address(const Envelope& envelope, std::string_view address);
    // The RCPT of an unauthenticated transaction on an inbound listener. Default: foreign.
    virtual InboundRecipient inbound_recipient(std::string_view address);
    // DATA, before 354: whether there is room for another message now. Default: accept.
    virtual std::optional<Reply> check_data(const Envelope& envelope);
};

// inbound_message: an unauthenticated message for a local recipient, for the inbound handler;
// its answer comes back through on_inbound_result.
enum class ActionKind { none, verify_credentials, commit_message, start_tls, inbound_message };

struct Action {
    ActionKind kind = ActionKind::none;
    Credentials credentials; // verify_credentials
    Envelope envelope;       // commit_message, inbound_message (auth_user empty)
    std::string body;        // commit_message, inbound_message: the message, dot-stuffing removed;
                             // once chunked (take_data_chunk), only the part after the last chunk
    bool chunked = false;    // commit_message: the driver holds the rest of the message
    std::string head;        // chunked: the message's header section (DataReader::head)
    // The header section, for checks of the message's headers.
    const std::string& headers() const noexcept { return chunked ? head : body; }
};

struct Output {
    std::string wire;   // reply bytes to send, possibly several pipelined replies
    Action action;      // at most one; the session waits for its result
    bool close = false; // close after sending `wire`
    bool delay = false; // a failed AUTH: send after a short random delay
};

enum class AuthVerdict { ok, failed, throttled, temporary_failure };

class ServerSession {
public:
    enum class State { command, auth_plain, auth_login_user, auth_login_pass, data, waiting, closed };
    // Told of every state change, synchronously, before the call that caused it returns. The
    // driver logs it; it must not call back into the session.
    using TransitionObserver = std::function<void(State from, State to)>;
    // Told of every 4xx/5xx reply with the command it answers ("MAIL", "RCPT", "DATA", "AUTH",
    // or "" for others), so the driver can log refusals with their reason.
    using RefusalObserver = std::function<void(std::string_view command, const Reply& reply)>;

    ServerSession(SessionLimits limits, SessionPolicy& policy);
    void observe_transitions(TransitionObserver observer) { observer_ = std::move(observer); }
    void observe_refusals(RefusalObserver observer) { refusal_observer_ = std::move(observer); }

    Output on_connect();
    Output on_input(std::string_view bytes);
    Output on_auth_result(AuthVerdict verdict);
    Output on_commit_result(CommitResult result);
    Output on_inbound_result(const Reply& reply); // the inbound handler's verdict on the message
    Output on_tls_established();
    Output on_timeout();
    Output on_shutdown(); // 421 and close; the driver calls it only between transactions

    bool in_data() const noexcept { return state_ == State::data; }
    bool in_transaction() const noexcept { return tx_.has_value() || state_ == State::data; }
    bool closed() const noexcept { return state_ == State::closed; }
    bool authenticated() const noexcept { return !auth_user_.empty(); }
    const std::string& auth_user() const noexcept { return auth_user_; }
    std::size_t buffered() const noexcept { return buffer_.size() - pos_; }

    // During DATA: the transaction, the bytes of message held, and those bytes handed over (the
    // driver writes them to the spool's file; see DataReader::take_chunk).
    const Envelope* transaction() const noexcept { return tx_ ? &*tx_ : nullptr; }
    std::size_t data_held() const noexcept { return data_ ? data_->held() : 0; }
    std::string take_data_chunk() { return data_ ? data_->take_chunk() : std::string(); }
    // During DATA: keep no more of this message; it is read to its end and refused with `r`.
    void refuse_data(Reply r);
    // How many DATA phases have begun: tells the driver's state for one message from the next
    // one's (a pipelined client may start the next before the driver looks again).
    std::uint64_t data_started() const noexcept { return data_started_; }

    State state() const noexcept { return state_; }

private:
    void enter(State next); // the only place state_ changes
    void process();
    bool process_data();
    bool next_line(std::string_view& line);
    void handle_line(std::string_view line);
    void handle_command(std::string_view line);
    void handle_auth_response(State step, std::string_view line);
    void cmd_helo(std::string_view args, bool extended);
    void cmd_auth(std::string_view args);
    void cmd_mail(std::string_view args);
    void cmd_rcpt(std::string_view args);
    void cmd_data(std::string_view args);
    void cmd_starttls(std::string_view args);
    void finish_data();
    void request_credentials_check(Credentials creds);
    // counts: the reply counts toward max_errors (a recipient over the limit does not).
    void reply(const Reply& r, bool counts = true);
    void close_with(const Reply& r);
    void reset_transaction();
    void inbound_rcpt(Recipient rcpt);
    // An unauthenticated transaction (possible only on an inbound listener).
    bool inbound_tx() const noexcept { return tx_ && tx_->auth_user.empty(); }

    SessionLimits limits_;
    SessionPolicy& policy_;
    State state_ = State::command;
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
    std::optional<Reply> data_refusal_;
    std::uint64_t data_started_ = 0;
    Output out_;
    TransitionObserver observer_;
    RefusalObserver refusal_observer_;
    std::string_view command_; // the command being answered, for refusal_observer_
};

std::string_view to_string(ServerSession::State state);

// EHLO reply lines (in the order docs/smtp.md shows), for tests and the driver.
std::string ehlo_reply(const SessionLimits& limits, bool tls_active);

} // namespace mailpush::smtp
