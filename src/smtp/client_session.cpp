// Outbound SMTP client core. Transactions: MAIL, RCPT..., DATA, body; pipelined in one write
// when the server offers PIPELINING (RFC 2920), else one command per reply. A failed
// transaction is followed by RSET before the next. Handles untrusted replies.
#include "mailpush/smtp/client_session.hpp"

#include "mailpush/common/strings.hpp"

#include <cctype>
#include <utility>

namespace mailpush::smtp {
namespace {
constexpr std::size_t kMaxReplyLine = 4096;
constexpr std::size_t kMaxReplyLines = 100;

// A reply of our own standing in for the server's: "421 4.4.0 why".
ServerReply synthetic(int code, EnhancedStatus status, std::string_view why) {
    std::string text = to_string(status) + " " + std::string(why);
    return ServerReply{code, text, {text}};
}
bool positive(const ServerReply& r) {
    return r.code >= 200 && r.code < 300;
}
} // namespace

std::size_t ReplyParser::consume(std::string_view in) {
    std::size_t used = 0;
    while (used < in.size() && !done_) {
        const char c = in[used++];
        if (c != '\n') {
            if (line_.size() < kMaxReplyLine + 1) line_ += c;
            continue;
        }
        if (!line_.empty() && line_.back() == '\r') line_.pop_back();
        const bool shape_ok = line_.size() >= 3 && line_.size() <= kMaxReplyLine && line_[0] >= '2' &&
                              line_[0] <= '5' && // RFC 5321 §4.2: 2yz..5yz only
                              std::isdigit(static_cast<unsigned char>(line_[1])) &&
                              std::isdigit(static_cast<unsigned char>(line_[2])) &&
                              (line_.size() == 3 || line_[3] == ' ' || line_[3] == '-');
        const int code = shape_ok ? std::stoi(line_.substr(0, 3)) : 0;
        if (!shape_ok || (in_reply_ && code != current_.code) || current_.lines.size() >= kMaxReplyLines) {
            done_ = synthetic(421, {4, 4, 0}, "malformed reply from the remote server");
            in_reply_ = false;
            current_ = {};
            line_.clear();
            break;
        }
        current_.code = code;
        const std::string text = line_.size() > 4 ? line_.substr(4) : "";
        current_.text += (current_.lines.empty() ? "" : " ") + text;
        current_.lines.push_back(text);
        const bool last = line_.size() == 3 || line_[3] == ' ';
        line_.clear();
        in_reply_ = !last;
        if (last) {
            done_ = std::move(current_);
            current_ = {};
        }
    }
    return used;
}

std::optional<ServerReply> ReplyParser::take() {
    return std::exchange(done_, std::nullopt);
}

void dot_stuff_into(std::string_view body, std::string& out) {
    out.reserve(out.size() + body.size() + body.size() / 64 + 8);
    if (body.starts_with('.')) out += '.';
    std::size_t at = 0;
    for (auto dot = body.find("\n.", at); dot != std::string_view::npos; dot = body.find("\n.", at)) {
        out.append(body.substr(at, dot + 1 - at));
        out += '.';
        at = dot + 1;
    }
    out.append(body.substr(at));
    if (!body.empty() && !body.ends_with("\r\n")) out += "\r\n";
    out += ".\r\n";
}

std::string dot_stuff(std::string_view body) {
    std::string out;
    dot_stuff_into(body, out);
    return out;
}

std::string_view to_string(ClientSession::State state) {
    using State = ClientSession::State;
    switch (state) {
    case State::greeting:
        return "greeting";
    case State::ehlo:
        return "ehlo";
    case State::helo:
        return "helo";
    case State::starttls:
        return "starttls";
    case State::ready:
        return "ready";
    case State::mail:
        return "mail";
    case State::rcpt:
        return "rcpt";
    case State::data:
        return "data";
    case State::body:
        return "body";
    case State::rset:
        return "rset";
    case State::quit:
        return "quit";
    case State::closed:
        return "closed";
    }
    return "unknown";
}

ClientSession::ClientSession(ClientOptions options)
    : options_(std::move(options)) {}

void ClientSession::enter(State next) {
    if (next == state_) return;
    const State previous = std::exchange(state_, next);
    if (observer_) observer_(previous, next);
}

ClientStep ClientSession::on_input(std::string_view bytes) {
    ClientStep step;
    while (!bytes.empty() && state_ != State::closed) {
        bytes.remove_prefix(parser_.consume(bytes));
        if (auto r = parser_.take()) handle(*r, step);
    }
    return step;
}

ClientStep ClientSession::on_tls_established() {
    ClientStep step;
    tls_ = true;
    send_ehlo(step); // RFC 3207 §4.2: forget what was learnt before TLS, ask again
    return step;
}

void ClientSession::send_ehlo(ClientStep& step) {
    pipelining_ = starttls_offered_ = eight_bit_ = smtputf8_ = size_ = dsn_ = false;
    step.wire += "EHLO " + options_.helo_name + "\r\n";
    enter(State::ehlo);
}

void ClientSession::parse_capabilities() {
    for (std::size_t i = 1; i < ehlo_lines_.size(); ++i) { // the first line is the server's name
        const auto& l = ehlo_lines_[i];
        const auto kw = l.substr(0, l.find(' '));
        if (common::iequals(kw, "PIPELINING"))
            pipelining_ = true;
        else if (common::iequals(kw, "STARTTLS"))
            starttls_offered_ = true;
        else if (common::iequals(kw, "8BITMIME"))
            eight_bit_ = true;
        else if (common::iequals(kw, "SMTPUTF8"))
            smtputf8_ = true;
        else if (common::iequals(kw, "SIZE"))
            size_ = true;
        else if (common::iequals(kw, "DSN"))
            dsn_ = true;
    }
}

void ClientSession::fail(ClientStep& step, ServerReply reason) {
    if (message_) { // a transaction in progress fails with the session
        tx_.rcpt_replies.resize(message_->recipients.size(), reason);
        tx_.final_reply = reason;
        step.result = std::move(tx_);
        message_.reset();
    }
    step.closed = std::move(reason);
    step.ready = false;
    enter(State::closed);
}

void ClientSession::finish(ClientStep& step, ServerReply final_reply) {
    tx_.final_reply = std::move(final_reply);
    const bool ok = positive(tx_.final_reply);
    step.result = std::move(tx_);
    tx_ = {};
    message_.reset();
    if (ok) {
        enter(State::ready);
        step.ready = true;
    } else {
        step.wire += "RSET\r\n"; // leave no half-open transaction behind
        enter(State::rset);
    }
}

ClientStep ClientSession::submit(OutboundMessage message) {
    return start(std::make_shared<const OutboundMessage>(std::move(message)));
}

ClientStep ClientSession::submit_borrowed(const OutboundMessage& message) {
    return start(std::shared_ptr<const OutboundMessage>(std::shared_ptr<void>(), &message)); // not owned
}

ClientStep ClientSession::start(std::shared_ptr<const OutboundMessage> message_in) {
    const OutboundMessage& message = *message_in;
    ClientStep step;
    if (state_ != State::ready) {
        TransactionResult r;
        r.final_reply = synthetic(421, {4, 4, 0}, "session not ready");
        r.rcpt_replies.assign(message.recipients.size(), r.final_reply);
        step.result = std::move(r);
        return step;
    }
    if (message.smtputf8 && !smtputf8_) { // RFC 6531 §3.4: do not send it to a server without SMTPUTF8
        TransactionResult r;
        r.final_reply = synthetic(553, {5, 6, 7}, "the receiving server does not support SMTPUTF8");
        r.rcpt_replies.assign(message.recipients.size(), r.final_reply);
        step.result = std::move(r);
        step.ready = true;
        return step;
    }
    message_ = std::move(message_in);
    tx_ = {};
    rcpt_index_ = 0;
    send_transaction(step);
    return step;
}

namespace {
// RFC 3461 §4: xtext, every byte outside "!".."~" and '+', '=' as +HH.
std::string xtext(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < '!' || c > '~' || c == '+' || c == '=') {
            out += '+';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        } else {
            out += ch;
        }
    }
    return out;
}

bool ascii(std::string_view s) {
    for (const char c : s)
        if (static_cast<unsigned char>(c) > 0x7f) return false;
    return true;
}
} // namespace

// ORCPT only for an ASCII address: the rfc822 type cannot carry UTF-8 (RFC 6533).
std::string ClientSession::rcpt_command(const std::string& address) const {
    std::string cmd = "RCPT TO:<" + address + ">";
    if (dsn_ && !message_->envid.empty() && ascii(address)) cmd += " ORCPT=rfc822;" + xtext(address);
    return cmd + "\r\n";
}

void ClientSession::send_transaction(ClientStep& step) {
    std::string mail = "MAIL FROM:<" + message_->mail_from + ">";
    if (size_) mail += " SIZE=" + std::to_string(message_->body.size());
    if (message_->eight_bit && eight_bit_) mail += " BODY=8BITMIME";
    if (message_->smtputf8) mail += " SMTPUTF8";
    if (dsn_ && !message_->envid.empty()) mail += " ENVID=" + xtext(message_->envid);
    step.wire += mail + "\r\n";
    pipelined_ = pipelining_;
    if (pipelined_) {
        for (const auto& r : message_->recipients)
            step.wire += rcpt_command(r);
        step.wire += "DATA\r\n";
    }
    enter(State::mail);
}

void ClientSession::handle(const ServerReply& r, ClientStep& step) {
    if (r.code == 421 && state_ != State::quit) return fail(step, r); // the server is closing
    switch (state_) {
    case State::greeting:
        if (r.code == 220) return send_ehlo(step);
        return fail(step, r);
    case State::ehlo:
        if (positive(r)) {
            ehlo_lines_ = r.lines;
            parse_capabilities();
            if (starttls_offered_ && options_.tls_available && !tls_) {
                step.wire += "STARTTLS\r\n";
                enter(State::starttls);
                return;
            }
            enter(State::ready);
            step.ready = true;
            return;
        }
        if (r.code >= 500) { // EHLO not understood: plain SMTP
            step.wire += "HELO " + options_.helo_name + "\r\n";
            enter(State::helo);
            return;
        }
        return fail(step, r);
    case State::helo:
        if (!positive(r)) return fail(step, r);
        enter(State::ready);
        step.ready = true;
        return;
    case State::starttls:
        if (r.code == 220) {
            step.start_tls = true;
            return;
        }
        enter(State::ready); // opportunistic: continue in plain text
        step.ready = true;
        return;
    case State::mail:
        tx_.final_reply = r; // remembered in case the MAIL failed
        if (!positive(r) && !pipelined_) {
            tx_.rcpt_replies.assign(message_->recipients.size(), r);
            return finish(step, r);
        }
        if (!pipelined_) step.wire += rcpt_command(message_->recipients[0]);
        enter(State::rcpt);
        return;
    case State::rcpt: {
        const bool mail_ok = positive(tx_.final_reply);
        tx_.rcpt_replies.push_back(mail_ok ? r : tx_.final_reply);
        if (++rcpt_index_ < message_->recipients.size()) {
            if (!pipelined_) step.wire += rcpt_command(message_->recipients[rcpt_index_]);
            return;
        }
        bool any = false;
        for (const auto& rr : tx_.rcpt_replies)
            any = any || positive(rr);
        if (pipelined_) {
            enter(State::data); // the DATA reply is on its way
            return;
        }
        if (!any) return finish(step, tx_.rcpt_replies.back());
        step.wire += "DATA\r\n";
        enter(State::data);
        return;
    }
    case State::data: {
        bool any = false;
        for (const auto& rr : tx_.rcpt_replies)
            any = any || positive(rr);
        if (r.code == 354) {
            if (any && positive(tx_.final_reply)) {
                dot_stuff_into(message_->body, step.wire); // no second copy of a large body
                enter(State::body);
                return;
            }
            step.wire += ".\r\n"; // RFC 2920 §3.1: DATA accepted with no valid recipient: send nothing
            enter(State::body);
            return;
        }
        if (!positive(tx_.final_reply)) return finish(step, tx_.final_reply); // MAIL failed (pipelined)
        if (!any) return finish(step, tx_.rcpt_replies.back());
        return finish(step, r);
    }
    case State::body: {
        bool any = false;
        for (const auto& rr : tx_.rcpt_replies)
            any = any || positive(rr);
        if (!any || !positive(tx_.final_reply)) {
            // We sent an empty message only to close DATA; it must not count as delivered.
            return finish(step, !positive(tx_.final_reply) ? tx_.final_reply : tx_.rcpt_replies.back());
        }
        return finish(step, r);
    }
    case State::rset:
        if (!positive(r)) return fail(step, r);
        enter(State::ready);
        step.ready = true;
        return;
    case State::quit:
    case State::closed:
        enter(State::closed);
        step.closed = r;
        return;
    case State::ready:
        return fail(step, synthetic(421, {4, 4, 0}, "unexpected reply from the remote server"));
    }
}

std::chrono::seconds ClientSession::reply_timeout() const noexcept {
    switch (state_) {
    case State::data:
        return pipelined_ && rcpt_index_ == 0 ? std::chrono::seconds(300) : std::chrono::seconds(120);
    case State::body:
        return std::chrono::seconds(600);
    default:
        return std::chrono::seconds(300);
    }
}

ClientStep ClientSession::quit() {
    ClientStep step;
    if (state_ == State::closed) return step;
    step.wire = "QUIT\r\n";
    enter(State::quit);
    return step;
}

} // namespace mailpush::smtp
