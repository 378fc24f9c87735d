// MAIL, RCPT and DATA handlers of the submission session: the mail transaction (docs/smtp.md).
// Handles untrusted input.
#include "mailpush/common/strings.hpp"
#include "mailpush/smtp/command.hpp"
#include "mailpush/smtp/message_headers.hpp"
#include "mailpush/smtp/server_session.hpp"

#include <utility>

namespace mailpush::smtp {
namespace {

// Applies MAIL FROM parameters (RFC 1870, 6152, 6531, 4954); returns a reply on error. DSN is
// not offered (docs/adr/0007-dsn.md): RET and ENVID, like any parameter of an extension not
// offered, get 555 5.5.4 (RFC 3461 §4, RFC 5321 §4.1.1.11).
std::optional<Reply> apply_mail_params(const std::vector<EsmtpParam>& params, Envelope& env,
                                       std::size_t max_size) {
    for (const auto& p : params) {
        const std::string v = p.value.value_or("");
        if (p.keyword == "SIZE") {
            auto n = common::parse_u64(v);
            if (!n) return replies::syntax_params();
            if (*n > max_size) return replies::size_exceeds_limit();
            env.declared_size = *n;
        } else if (p.keyword == "BODY") {
            if (common::iequals(v, "7BIT"))
                env.body_type = "7BIT";
            else if (common::iequals(v, "8BITMIME"))
                env.body_type = "8BITMIME";
            else
                return replies::unsupported_parameter();
        } else if (p.keyword == "SMTPUTF8") {
            if (p.value) return replies::syntax_params();
            env.smtputf8 = true;
        } else if (p.keyword == "AUTH") {
            // RFC 4954 §5: accepted and ignored; we trust only our own authentication.
        } else {
            return replies::unsupported_parameter();
        }
    }
    return std::nullopt;
}

// RCPT takes no parameter: NOTIFY and ORCPT (DSN, not offered) get 555 5.5.4 like any other.
std::optional<Reply> apply_rcpt_params(const std::vector<EsmtpParam>& params) {
    if (!params.empty()) return replies::unsupported_parameter();
    return std::nullopt;
}

} // namespace

void ServerSession::cmd_mail(std::string_view args) {
    if (helo_.empty()) return reply(replies::need_helo());
    // Without AUTH only an inbound listener takes mail, and then only for local recipients.
    if (!authenticated() && !limits_.inbound) return reply(replies::auth_required());
    if (tx_) return reply(replies::nested_mail());
    auto parsed = parse_path_argument(args, "FROM");
    if (!parsed.value)
        return reply(parsed.error == PathError::bad_param ? replies::syntax_params()
                                                          : replies::bad_sender_syntax());
    Envelope env;
    env.auth_user = auth_user_;
    env.helo = helo_;
    env.tls = limits_.tls_active;
    if (auto err = apply_mail_params(parsed.value->params, env, limits_.max_message_bytes))
        return reply(*err);
    env.mail_from = std::move(parsed.value->address);
    if (!env.mail_from.empty()) {
        if (!is_ascii(env.mail_from) && !env.smtputf8) return reply(replies::smtputf8_required());
        if (!is_valid_mailbox(env.mail_from, env.smtputf8)) return reply(replies::bad_sender_syntax());
    }
    // A null reverse-path is the account's own MTA reporting to it (its bounces): allowed, and
    // every recipient must then be one of the account's own addresses (cmd_rcpt).
    // Inbound (no AUTH): any reverse path, <> included; the recipients are what is checked.
    if (authenticated() && !env.mail_from.empty() && !same_mailbox(env.mail_from, auth_user_))
        return reply(replies::sender_mismatch());
    if (auto refusal = policy_.check_mail(env)) return reply(*refusal);
    tx_ = std::move(env);
    rcpt_attempts_ = 0;
    reply(replies::mail_ok());
}

void ServerSession::cmd_rcpt(std::string_view args) {
    if (!tx_) return reply(replies::need_mail());
    ++rcpt_attempts_;
    auto parsed = parse_path_argument(args, "TO");
    if (!parsed.value)
        return reply(parsed.error == PathError::bad_param ? replies::syntax_params()
                                                          : replies::bad_recipient_syntax());
    Recipient rcpt;
    rcpt.address = std::move(parsed.value->address);
    if (auto err = apply_rcpt_params(parsed.value->params)) return reply(*err);
    if (!is_ascii(rcpt.address) && !tx_->smtputf8) return reply(replies::smtputf8_required());
    if (!is_valid_mailbox(rcpt.address, tx_->smtputf8)) return reply(replies::bad_recipient_syntax());
    for (const auto& existing : tx_->recipients)
        if (same_mailbox(existing.address, rcpt.address)) return reply(replies::rcpt_ok()); // stored once
    if (inbound_tx()) return inbound_rcpt(std::move(rcpt));
    if (tx_->recipients.size() >= limits_.max_recipients)
        // Not an error of the client's: an MTA sends its whole list and the rest in the next
        // transaction, so these do not count toward max_errors.
        return reply(limits_.style == ReplyStyle::rfc ? replies::too_many_recipients_rfc()
                                                      : replies::too_many_recipients(),
                     false);
    if (tx_->mail_from.empty() && !policy_.owns_address(*tx_, rcpt.address))
        return reply(replies::null_sender_foreign_recipient());
    if (auto refusal = policy_.check_rcpt(*tx_, rcpt.address)) return reply(*refusal);
    tx_->recipients.push_back(std::move(rcpt));
    reply(replies::rcpt_ok());
}

// Unauthenticated: a local recipient only, and one per message, so the inbound handler acts for
// one account and one address (others get 452 and come in their own transaction). A foreign
// recipient is relaying: 530, as MAIL gets it on a listener that takes no inbound mail.
void ServerSession::inbound_rcpt(Recipient rcpt) {
    switch (policy_.inbound_recipient(rcpt.address)) {
    case InboundRecipient::foreign:
        return reply(replies::auth_required());
    case InboundRecipient::unknown_mailbox:
        return reply(replies::no_such_mailbox(rcpt.address));
    case InboundRecipient::local:
        break;
    }
    if (!tx_->recipients.empty()) return reply(replies::inbound_one_recipient(), false);
    tx_->recipients.push_back(std::move(rcpt));
    reply(replies::rcpt_ok());
}

void ServerSession::cmd_data(std::string_view args) {
    if (!tx_) return reply(replies::need_mail());
    if (tx_->recipients.empty())
        return reply(rcpt_attempts_ > 0 ? replies::no_valid_recipients() : replies::need_rcpt());
    if (!args.empty()) return reply(replies::syntax_params());
    if (auto refusal = policy_.check_data(*tx_)) return reply(*refusal, false);
    reply(replies::start_data());
    data_refusal_.reset();
    ++data_started_;
    data_ = std::make_unique<DataReader>(limits_.max_message_bytes);
    enter(State::data);
}

void ServerSession::finish_data() {
    Envelope env = std::move(*tx_);
    auto reader = std::move(data_);
    reset_transaction();
    command_ = "DATA";
    if (reader->bare_newline() || reader->too_big()) {
        enter(State::command);
        return reply(reader->bare_newline() ? replies::bare_newline() : replies::data_too_big());
    }
    if (auto refusal = std::exchange(data_refusal_, std::nullopt)) {
        enter(State::command);
        return reply(*refusal, false);
    }
    auto body = reader->take_body();
    const bool chunked = reader->chunked();
    const std::string& headers = chunked ? reader->head() : body;
    // Inbound mail is not ours to police by From: (a bounce comes from the remote MTA).
    if (env.auth_user.empty()) {
        out_.action.kind = ActionKind::inbound_message;
        out_.action.envelope = std::move(env);
        out_.action.body = std::move(body);
        enter(State::waiting);
        return;
    }
    // The same limit whether the message was kept in memory or written out as it came (which
    // depends on the load): its header section is what the checks below read. (+2: the file's
    // check counts the blank line, header_section_size does not.)
    if (chunked ? reader->head_too_long() : header_section_size(body) > DataReader::kHeadBytes + 2) {
        enter(State::command);
        return reply(replies::header_too_large());
    }
    // A null-sender message (a bounce from the account's own MTA, to its own addresses only) is
    // checked like any other: its From: (the MTA's MAILER-DAEMON) must be on an account domain.
    if (limits_.from_header_policy == FromHeaderPolicy::account_domains) {
        const auto author = check_author_headers(
            headers, [&](std::string_view address) { return policy_.may_author(env, address); });
        if (author.verdict != AuthorVerdict::ok) {
            enter(State::command);
            return reply(author.verdict == AuthorVerdict::malformed ? replies::from_header_malformed()
                                                                    : replies::from_header_not_allowed());
        }
    }
    out_.action.kind = ActionKind::commit_message;
    out_.action.envelope = std::move(env);
    out_.action.body = std::move(body);
    out_.action.chunked = chunked;
    if (chunked) out_.action.head = reader->head();
    enter(State::waiting);
}

} // namespace mailpush::smtp
