// Session state machine: input buffering, pipelining, state changes (all through enter()).
// Command handlers that touch the mail transaction live in server_session_tx.cpp. Handles
// untrusted input.
#include "mailpush/smtp/server_session.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/smtp/command.hpp"

namespace mailpush::smtp {

std::string ehlo_reply(const SessionLimits& limits, bool tls_active) {
    std::vector<std::string> lines{limits.hostname, "8BITMIME",
                                   "SIZE " + std::to_string(limits.max_message_bytes)};
    if (!limits.auth_requires_tls || tls_active) {
        lines.emplace_back("AUTH=PLAIN LOGIN");
        lines.emplace_back("AUTH PLAIN LOGIN");
    }
    lines.emplace_back("PIPELINING");
    if (limits.style == ReplyStyle::rfc) lines.emplace_back("ENHANCEDSTATUSCODES");
    lines.emplace_back("SMTPUTF8");
    if (limits.starttls_available && !tls_active) lines.emplace_back("STARTTLS");
    // No DSN (docs/adr/0007-dsn.md): we do not send RFC 3464 reports, so we do not offer them.
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        out += i + 1 < lines.size() ? "250-" : "250 ";
        out += lines[i];
        out += "\r\n";
    }
    return out;
}

std::string_view to_string(ServerSession::State state) {
    using State = ServerSession::State;
    switch (state) {
    case State::command:
        return "command";
    case State::auth_plain:
        return "auth_plain";
    case State::auth_login_user:
        return "auth_login_user";
    case State::auth_login_pass:
        return "auth_login_pass";
    case State::data:
        return "data";
    case State::waiting:
        return "waiting";
    case State::closed:
        return "closed";
    }
    return "unknown";
}

bool SessionPolicy::may_author(const Envelope& envelope, std::string_view address) {
    return same_mailbox(address, envelope.auth_user);
}

bool SessionPolicy::owns_address(const Envelope& envelope, std::string_view address) {
    return same_mailbox(address, envelope.auth_user);
}

InboundRecipient SessionPolicy::inbound_recipient(std::string_view) {
    return InboundRecipient::foreign;
}

std::optional<Reply> SessionPolicy::check_data(const Envelope&) {
    return std::nullopt;
}

void ServerSession::refuse_data(Reply r) {
    if (!data_ || data_refusal_) return;
    data_->abandon();
    data_refusal_ = std::move(r);
}

ServerSession::ServerSession(SessionLimits limits, SessionPolicy& policy)
    : limits_(std::move(limits))
    , policy_(policy) {}

void ServerSession::enter(State next) {
    if (next == state_) return;
    const State previous = std::exchange(state_, next);
    if (observer_) observer_(previous, next);
}

Output ServerSession::on_connect() {
    out_ = {};
    out_.wire = encode(replies::greeting(limits_.hostname), limits_.style);
    return std::exchange(out_, {});
}

Output ServerSession::on_input(std::string_view bytes) {
    if (state_ != State::closed) buffer_.append(bytes);
    process();
    return std::exchange(out_, {});
}

Output ServerSession::on_timeout() {
    close_with(replies::timeout(limits_.hostname));
    return std::exchange(out_, {});
}

Output ServerSession::on_shutdown() {
    close_with(replies::shutting_down(limits_.hostname));
    return std::exchange(out_, {});
}

Output ServerSession::on_tls_established() {
    // RFC 3207 §4.2: forget everything learnt before TLS, including authentication.
    limits_.tls_active = true;
    helo_.clear();
    auth_user_.clear();
    reset_transaction();
    buffer_.clear();
    pos_ = 0;
    enter(State::command);
    process();
    return std::exchange(out_, {});
}

Output ServerSession::on_auth_result(AuthVerdict verdict) {
    enter(State::command);
    command_ = "AUTH";
    switch (verdict) {
    case AuthVerdict::ok:
        auth_user_ = pending_user_;
        reply(replies::auth_ok());
        break;
    case AuthVerdict::failed:
        ++auth_failures_;
        out_.delay = true;
        reply(replies::auth_failed());
        if (auth_failures_ >= limits_.max_auth_failures && state_ != State::closed)
            close_with(replies::too_many_auth_failures(limits_.hostname));
        break;
    case AuthVerdict::throttled:
        out_.delay = true;
        reply(replies::auth_throttled());
        break;
    case AuthVerdict::temporary_failure:
        reply(replies::auth_temporary_failure());
        break;
    }
    pending_user_.clear();
    process();
    return std::exchange(out_, {});
}

Output ServerSession::on_commit_result(CommitResult result) {
    enter(State::command);
    command_ = "DATA";
    reply(result.refusal ? *result.refusal
          : result.ok    ? replies::queued(result.envid)
                         : replies::storage_error());
    process();
    return std::exchange(out_, {});
}

Output ServerSession::on_inbound_result(const Reply& result) {
    enter(State::command);
    command_ = "DATA";
    reply(result);
    process();
    return std::exchange(out_, {});
}

void ServerSession::reply(const Reply& r, bool counts) {
    if (state_ == State::closed) return;
    out_.wire += encode(r, limits_.style);
    if (r.code >= 400 && refusal_observer_) refusal_observer_(command_, r);
    if (counts && r.code >= 400 && r.code != 421 && ++errors_ >= limits_.max_errors)
        close_with(replies::too_many_errors(limits_.hostname));
}

void ServerSession::close_with(const Reply& r) {
    if (state_ == State::closed) return;
    out_.wire += encode(r, limits_.style);
    out_.close = true;
    out_.action = {};
    enter(State::closed);
}

void ServerSession::reset_transaction() {
    tx_.reset();
    rcpt_attempts_ = 0;
    data_.reset();
}

void ServerSession::process() {
    while (state_ != State::closed && state_ != State::waiting) {
        if (state_ == State::data) {
            if (!process_data()) break;
            continue;
        }
        std::string_view line;
        if (!next_line(line)) break;
        handle_line(line);
    }
    if (pos_ == buffer_.size()) {
        buffer_.clear();
        pos_ = 0;
    } else if (pos_ > 4096 && pos_ > buffer_.size() / 2) {
        buffer_.erase(0, pos_);
        pos_ = 0;
    }
}

bool ServerSession::process_data() {
    const std::string_view avail(buffer_.data() + pos_, buffer_.size() - pos_);
    pos_ += data_->consume(avail);
    if (!data_->done()) return false;
    finish_data();
    return true;
}

// Extracts the next complete command line (CRLF or a lone LF ends it) and enforces the
// line-length limit: an over-long line is answered once and skipped up to its end.
bool ServerSession::next_line(std::string_view& line) {
    for (;;) {
        const std::string_view avail(buffer_.data() + pos_, buffer_.size() - pos_);
        const auto nl = avail.find('\n');
        if (discarding_long_line_) {
            if (nl == std::string_view::npos) {
                pos_ = buffer_.size();
                return false;
            }
            pos_ += nl + 1;
            discarding_long_line_ = false;
            continue;
        }
        if (nl == std::string_view::npos) {
            if (avail.size() > limits_.max_line_length) {
                discarding_long_line_ = true;
                pos_ = buffer_.size();
                reply(replies::line_too_long());
            }
            return false;
        }
        pos_ += nl + 1;
        if (nl + 1 > limits_.max_line_length) {
            reply(replies::line_too_long());
            if (state_ == State::closed) return false;
            continue;
        }
        line = avail.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        return true;
    }
}

void ServerSession::handle_line(std::string_view line) {
    if (line.find('\0') != std::string_view::npos) {
        reply(replies::unknown_command());
        return;
    }
    if (state_ == State::command)
        handle_command(line);
    else
        handle_auth_response(state_, line);
}

void ServerSession::handle_command(std::string_view line) {
    const Command cmd = parse_command(line);
    command_ = cmd.verb == Verb::mail   ? "MAIL"
               : cmd.verb == Verb::rcpt ? "RCPT"
               : cmd.verb == Verb::data ? "DATA"
               : cmd.verb == Verb::auth ? "AUTH"
                                        : "";
    switch (cmd.verb) {
    case Verb::helo:
        cmd_helo(cmd.args, false);
        break;
    case Verb::ehlo:
        cmd_helo(cmd.args, true);
        break;
    case Verb::auth:
        cmd_auth(cmd.args);
        break;
    case Verb::mail:
        cmd_mail(cmd.args);
        break;
    case Verb::rcpt:
        cmd_rcpt(cmd.args);
        break;
    case Verb::data:
        cmd_data(cmd.args);
        break;
    case Verb::starttls:
        cmd_starttls(cmd.args);
        break;
    case Verb::rset:
        reset_transaction();
        reply(replies::ok());
        break;
    case Verb::noop:
        reply(replies::ok());
        break;
    case Verb::quit:
        close_with(replies::bye());
        break;
    case Verb::vrfy:
        reply(replies::vrfy_cannot());
        break;
    case Verb::help:
        reply(replies::help());
        break;
    case Verb::expn:
    case Verb::bdat:
        reply(replies::not_implemented());
        break;
    case Verb::unknown:
        reply(replies::unknown_command());
        break;
    }
}

namespace {
// The EHLO/HELO argument ends up in our Received: header: printable, no blanks or controls.
bool valid_helo_argument(std::string_view s) {
    if (s.empty() || s.size() > 255) return false;
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c == 0x7f) return false;
    }
    return true;
}
} // namespace

void ServerSession::cmd_helo(std::string_view args, bool extended) {
    if (!valid_helo_argument(args)) {
        reply(replies::syntax_helo());
        return;
    }
    helo_ = std::string(args);
    reset_transaction(); // RFC 5321 §4.1.4: EHLO resets like RSET; authentication stays
    if (extended)
        out_.wire += ehlo_reply(limits_, limits_.tls_active);
    else
        reply(replies::helo_ok(limits_.hostname));
}

void ServerSession::cmd_starttls(std::string_view args) {
    if (limits_.tls_active) return reply(replies::tls_already_active());
    if (!limits_.starttls_available) return reply(replies::tls_not_available());
    if (!args.empty()) return reply(replies::syntax_params());
    reply(replies::tls_ready());
    // CVE-2011-0411: nothing the client pipelined after STARTTLS may survive the upgrade.
    buffer_.clear();
    pos_ = 0;
    out_.action.kind = ActionKind::start_tls;
    enter(State::waiting);
}

void ServerSession::cmd_auth(std::string_view args) {
    if (helo_.empty()) return reply(replies::need_helo());
    if (authenticated()) return reply(replies::auth_already());
    if (tx_) return reply(replies::auth_in_transaction());
    if (limits_.auth_requires_tls && !limits_.tls_active) return reply(replies::auth_tls_required());
    const auto sp = args.find(' ');
    const auto mech = args.substr(0, sp);
    const auto initial = sp == std::string_view::npos ? std::string_view{} : args.substr(sp + 1);
    if (common::iequals(mech, "PLAIN")) {
        if (initial.empty()) {
            reply(replies::auth_challenge(""));
            enter(State::auth_plain);
            return;
        }
        handle_auth_response(State::auth_plain, initial == "=" ? std::string_view{} : initial);
    } else if (common::iequals(mech, "LOGIN")) {
        if (initial.empty()) {
            reply(replies::auth_challenge("dXNlcm5hbWU6"));
            enter(State::auth_login_user);
            return;
        }
        handle_auth_response(State::auth_login_user, initial);
    } else {
        reply(replies::auth_mechanism_unknown());
    }
}

// `step` is where the exchange stands (auth_plain, auth_login_user or auth_login_pass); an
// initial response arrives while the session is still in `command`.
void ServerSession::handle_auth_response(State step, std::string_view line) {
    command_ = "AUTH";
    if (line == "*") {
        enter(State::command);
        login_user_.clear();
        return reply(replies::auth_cancelled());
    }
    if (step == State::auth_plain) {
        auto decoded = decode_plain(line);
        if (!decoded.credentials) {
            enter(State::command);
            return reply(decoded.error == SaslError::bad_base64 ? replies::auth_bad_base64()
                                                                : replies::auth_malformed());
        }
        return request_credentials_check(std::move(*decoded.credentials));
    }
    bool bad_b64 = false;
    auto field = decode_login_field(line, bad_b64);
    if (!field) {
        enter(State::command);
        login_user_.clear();
        return reply(bad_b64 ? replies::auth_bad_base64() : replies::auth_malformed());
    }
    if (step == State::auth_login_user) {
        login_user_ = std::move(*field);
        enter(State::auth_login_pass);
        return reply(replies::auth_challenge("UGFzc3dvcmQ6"));
    }
    request_credentials_check(Credentials{std::exchange(login_user_, {}), std::move(*field)});
}

void ServerSession::request_credentials_check(Credentials creds) {
    pending_user_ = creds.username;
    out_.action.kind = ActionKind::verify_credentials;
    out_.action.credentials = std::move(creds);
    enter(State::waiting);
}

} // namespace mailpush::smtp
