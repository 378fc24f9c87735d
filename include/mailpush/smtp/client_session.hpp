// The outbound SMTP client as a sans-I/O state machine (RFC 5321, 2920, 3207): reply bytes in,
// command bytes out. One session carries any number of transactions. The server's replies are
// untrusted: reply lines are bounded and malformed replies end the session with a protocol error.
#pragma once

#include "mailpush/smtp/enhanced_status.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::smtp {

struct ServerReply {
    int code = 0;
    std::string text;               // all lines' text joined with a space, enhanced code included
    std::vector<std::string> lines; // each line's text (EHLO capabilities)
    std::string line() const { return std::to_string(code) + " " + text; }
    // The enhanced status code the text starts with ("5.1.1 User unknown"), if any.
    std::optional<EnhancedStatus> enhanced() const { return leading_enhanced_status(text); }
};

// Incremental multi-line reply parser. Lines longer than 4096 bytes or without a valid code
// make the reply malformed (code 0).
class ReplyParser {
public:
    // Consumes bytes; returns the number used (stops after each complete reply).
    std::size_t consume(std::string_view in);
    std::optional<ServerReply> take();

private:
    std::string line_;
    ServerReply current_;
    bool in_reply_ = false;
    std::optional<ServerReply> done_;
};

struct OutboundMessage {
    std::string mail_from;
    std::vector<std::string> recipients;
    std::string body; // the message, CRLF line ends, not dot-stuffed
    bool eight_bit = false;
    bool smtputf8 = false;
    // Our envid: sent as ENVID=, with ORCPT=rfc822;<recipient> on each RCPT, when the receiver
    // offers DSN, so its later delivery reports name the message (docs/inbound.md). "" = never.
    std::string envid;
};

struct TransactionResult {
    std::vector<ServerReply> rcpt_replies; // one per recipient, in order
    ServerReply final_reply; // MAIL failure, DATA/end-of-data reply, or the reason nothing was sent
    // A recipient is delivered iff its RCPT got 2xx and final_reply is 2xx.
};

struct ClientOptions {
    std::string helo_name = "localhost";
    bool tls_available = false; // opportunistic STARTTLS when offered
};

struct ClientStep {
    std::string wire;                        // bytes to send
    bool start_tls = false;                  // do the TLS handshake after sending `wire`
    bool ready = false;                      // submit() may be called
    std::optional<TransactionResult> result; // a transaction finished
    std::optional<ServerReply>
        closed; // the session is over: the reply that ended it (a failure, or QUIT's 221)
};

class ClientSession {
public:
    enum class State { greeting, ehlo, helo, starttls, ready, mail, rcpt, data, body, rset, quit, closed };
    // Told of every state change, synchronously, before the call that caused it returns. The
    // driver logs it; it must not call back into the session.
    using TransitionObserver = std::function<void(State from, State to)>;

    explicit ClientSession(ClientOptions options);
    void observe_transitions(TransitionObserver observer) { observer_ = std::move(observer); }

    ClientStep on_input(std::string_view bytes);
    ClientStep on_tls_established();
    ClientStep submit(OutboundMessage message); // only when the last step said ready
    // The same without a copy of the message (a large body): the caller keeps `message` alive,
    // unchanged, until this transaction's result or the session's close.
    ClientStep submit_borrowed(const OutboundMessage& message);
    ClientStep quit();

    // How long to wait for the reply the session is waiting for (RFC 5321 §4.5.3.2): 5 minutes
    // for the greeting, MAIL and RCPT (and EHLO, STARTTLS, RSET, QUIT), 2 minutes for DATA's 354,
    // 10 minutes for the reply to the final dot.
    std::chrono::seconds reply_timeout() const noexcept;
    // Sending one block of message data: 3 minutes (RFC 5321 §4.5.3.2.5).
    static constexpr std::chrono::seconds data_block_timeout{180};

    bool ready() const noexcept { return state_ == State::ready; }
    bool tls_active() const noexcept { return tls_; }
    bool pipelining() const noexcept { return pipelining_; }
    bool offers_8bitmime() const noexcept { return eight_bit_; } // from the last EHLO
    bool closed() const noexcept { return state_ == State::closed; }
    State state() const noexcept { return state_; }

private:
    void enter(State next); // the only place state_ changes
    void handle(const ServerReply& r, ClientStep& step);
    void send_ehlo(ClientStep& step);
    void parse_capabilities();
    void send_transaction(ClientStep& step);
    std::string rcpt_command(const std::string& address) const;
    void finish(ClientStep& step, ServerReply final_reply);
    void fail(ClientStep& step, ServerReply reason);

    ClientOptions options_;
    State state_ = State::greeting;
    ReplyParser parser_;
    bool tls_ = false;
    bool pipelining_ = false, starttls_offered_ = false, eight_bit_ = false, smtputf8_ = false, size_ = false,
         dsn_ = false;
    std::vector<std::string> ehlo_lines_;
    ClientStep start(std::shared_ptr<const OutboundMessage> message);
    std::shared_ptr<const OutboundMessage> message_; // owned, or borrowed (submit_borrowed)
    TransactionResult tx_;
    std::size_t rcpt_index_ = 0;
    bool pipelined_ = false;
    TransitionObserver observer_;
};

std::string_view to_string(ClientSession::State state);

// Dot-stuffing (RFC 5321 §4.5.2) and the terminating ".\r\n"; _into appends to `out`.
std::string dot_stuff(std::string_view body);
void dot_stuff_into(std::string_view body, std::string& out);

} // namespace mailpush::smtp
