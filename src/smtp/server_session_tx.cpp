// MAIL, RCPT and DATA handlers of the submission session: the mail transaction (docs/smtp.md).
// Handles untrusted input.
#include "mailpush/common/strings.hpp"
#include "mailpush/smtp/command.hpp"
#include "mailpush/smtp/server_session.hpp"

namespace mailpush::smtp {
namespace {

bool valid_notify(std::string_view v) {
    if (common::iequals(v, "NEVER")) return true;
    if (v.empty()) return false;
    std::size_t start = 0;
    while (start <= v.size()) {
        auto end = v.find(',', start);
        if (end == std::string_view::npos) end = v.size();
        const auto item = v.substr(start, end - start);
        if (!common::iequals(item, "SUCCESS") && !common::iequals(item, "FAILURE") &&
            !common::iequals(item, "DELAY"))
            return false;
        start = end + 1;
    }
    return true;
}

std::string upper(std::string_view v) {
    std::string s(v);
    for (auto& c : s)
        c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    return s;
}

// Applies MAIL FROM parameters (RFC 1870, 6152, 6531, 3461, 4954); returns a reply on error.
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
        } else if (p.keyword == "RET") {
            if (!common::iequals(v, "FULL") && !common::iequals(v, "HDRS")) return replies::syntax_params();
            env.ret = upper(v);
        } else if (p.keyword == "ENVID") {
            if (v.empty() || v.size() > 100 || !is_valid_xtext(v)) return replies::syntax_params();
            env.dsn_envid = v;
        } else if (p.keyword == "AUTH") {
            // RFC 4954 §5: accepted and ignored; we trust only our own authentication.
        } else {
            return replies::unsupported_parameter();
        }
    }
    return std::nullopt;
}

std::optional<Reply> apply_rcpt_params(const std::vector<EsmtpParam>& params, Recipient& rcpt) {
    for (const auto& p : params) {
        const std::string v = p.value.value_or("");
        if (p.keyword == "NOTIFY") {
            if (!valid_notify(v)) return replies::syntax_params();
            rcpt.notify = upper(v);
        } else if (p.keyword == "ORCPT") {
            const auto semi = v.find(';');
            if (semi == std::string::npos || semi == 0 || v.size() > 500 ||
                !is_valid_xtext(v.substr(semi + 1)))
                return replies::syntax_params();
            rcpt.orcpt = v;
        } else {
            return replies::unsupported_parameter();
        }
    }
    return std::nullopt;
}

} // namespace

void ServerSession::cmd_mail(std::string_view args) {
    if (helo_.empty()) return reply(replies::need_helo());
    if (!authenticated()) return reply(replies::auth_required());
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
    if (!same_mailbox(env.mail_from, auth_user_)) return reply(replies::sender_mismatch());
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
    if (auto err = apply_rcpt_params(parsed.value->params, rcpt)) return reply(*err);
    if (!is_ascii(rcpt.address) && !tx_->smtputf8) return reply(replies::smtputf8_required());
    if (!is_valid_mailbox(rcpt.address, tx_->smtputf8)) return reply(replies::bad_recipient_syntax());
    for (const auto& existing : tx_->recipients)
        if (same_mailbox(existing.address, rcpt.address)) return reply(replies::rcpt_ok()); // stored once
    if (tx_->recipients.size() >= limits_.max_recipients) return reply(replies::too_many_recipients());
    if (auto refusal = policy_.check_rcpt(*tx_, rcpt.address)) return reply(*refusal);
    tx_->recipients.push_back(std::move(rcpt));
    reply(replies::rcpt_ok());
}

void ServerSession::cmd_data(std::string_view args) {
    if (!tx_) return reply(replies::need_mail());
    if (tx_->recipients.empty())
        return reply(rcpt_attempts_ > 0 ? replies::no_valid_recipients() : replies::need_rcpt());
    if (!args.empty()) return reply(replies::syntax_params());
    reply(replies::start_data());
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
    auto body = reader->take_body();
    if (limits_.from_header_policy == FromHeaderPolicy::account_domains) {
        const auto author = check_author_headers(
            body, [&](std::string_view address) { return policy_.may_author(env, address); });
        if (author.verdict != AuthorVerdict::ok) {
            enter(State::command);
            return reply(author.verdict == AuthorVerdict::malformed ? replies::from_header_malformed()
                                                                    : replies::from_header_not_allowed());
        }
    }
    out_.action.kind = ActionKind::commit_message;
    out_.action.envelope = std::move(env);
    out_.action.body = std::move(body);
    enter(State::waiting);
}

} // namespace mailpush::smtp
