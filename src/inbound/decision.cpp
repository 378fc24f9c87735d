// Correlation and effect of inbound mail (docs/inbound.md). Pure. A report has an effect only
// on a message this account sent to the recipient it names, so a report from someone who knows
// nothing of our traffic bounces or suppresses no one.
#include "mailpush/inbound/decision.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/common/url.hpp"
#include "mailpush/delivery/event_format.hpp"

#include <chrono>

namespace mailpush::inbound {
namespace {
constexpr std::size_t kMaxReplyBytes = 500;
// The event string's value framing (delivery/event_format.cpp).
constexpr common::ByteSet kValueBytes = ~common::ByteSet("&%\r\n");

std::optional<std::uint64_t> digits(std::string_view s) {
    if (s.empty() || s.size() > 20) return std::nullopt;
    for (char c : s)
        if (c < '0' || c > '9') return std::nullopt;
    return common::parse_u64(s);
}

// "550 5.1.1 user unknown" -> (550, "5.1.1 user unknown"); without a code, the Status' class.
std::pair<int, std::string> reply_of(const DsnRecipient& r) {
    std::string_view diag = r.diagnostic_code;
    int code = 0;
    if (diag.size() >= 3 && diag[0] >= '2' && diag[0] <= '5' && diag[1] >= '0' && diag[1] <= '9' &&
        diag[2] >= '0' && diag[2] <= '9' && (diag.size() == 3 || diag[3] == ' ' || diag[3] == '-')) {
        code = (diag[0] - '0') * 100 + (diag[1] - '0') * 10 + (diag[2] - '0');
        diag.remove_prefix(std::min<std::size_t>(4, diag.size()));
    }
    // Action: failed is final whatever the code: a 2xx/3xx or none at all becomes the status class.
    if (code < 400) code = !r.status.empty() && r.status[0] == '4' ? 450 : 550;
    std::string text(common::trim(diag));
    if (text.empty())
        text = r.status;
    else if (text.compare(0, r.status.size(), r.status) != 0 && !r.status.empty())
        text = r.status + " " + text;
    if (text.size() > kMaxReplyBytes) text.resize(kMaxReplyBytes);
    return {code, text};
}

delivery::RecipientUpdate update_for(const delivery::SentRecipient& original, const InboundFacts& f,
                                     int status, const std::string& failed_type, int err_code,
                                     const std::string& reply_line) {
    delivery::RecipientUpdate u;
    u.record = original.record;
    u.record.status = status;
    u.record.failed_type = failed_type;
    u.record.last_reply = reply_line;
    u.attempt = {original.record.envid,    original.record.idx, f.now_ms, f.now_ms,
                 std::string(kReportHost), reply_line};
    const auto end_time = delivery::format_event_time(
        std::chrono::system_clock::time_point(std::chrono::milliseconds(f.now_ms)),
        f.event_utc_offset_minutes * 60);
    u.event = rewrite_event(original.event, status, err_code, reply_line, failed_type, end_time);
    u.report = original.report;
    return u;
}

// The original is this account's mail to that recipient (the only reports that count).
bool ours(const std::optional<delivery::SentRecipient>& o, const InboundFacts& f) {
    return o && !o->event.empty() && o->report.account == f.local_account;
}

InboundDecision delivery_report(const InboundFacts& f) {
    InboundDecision d;
    bool matched = false;
    bool bounced = false;
    const auto& blocks = f.message.recipients;
    for (std::size_t i = 0; i < blocks.size() && i < f.originals.size(); ++i) {
        const auto& o = f.originals[i];
        if (!ours(o, f)) continue;
        matched = true;
        // Only a delivered recipient turns failed; a second report on it changes nothing.
        if (blocks[i].action != "failed" || o->record.state != delivery::RcptState::delivered) continue;
        const auto [code, text] = reply_of(blocks[i]);
        const auto cls = delivery::classify(code, text);
        const auto status = cls.status == delivery::Status::success ? delivery::Status::failure : cls.status;
        const std::string line = std::to_string(code) + " " + text;
        auto u = update_for(*o, f, static_cast<int>(status), cls.failed_type, code, line);
        u.record.state = delivery::RcptState::failed;
        d.updates.push_back(std::move(u));
        if (cls.failed_type == "SmtpNxBox" && code / 100 == 5) d.hard_bounces.push_back(o->record.address);
        bounced = true;
    }
    if (!matched) {
        d.result = "unmatched";
        d.reply = smtp::replies::report_not_matched();
        return d;
    }
    d.result = bounced ? "bounce" : "no_effect";
    d.reply = smtp::replies::report_accepted();
    return d;
}

// A complaint suppresses the recipient for the whole account; with the original message found it
// is also that recipient's final event (status 3, SmtpContSpam). Without it, the recipient must
// at least have had mail from this account.
InboundDecision feedback_report(const InboundFacts& f) {
    InboundDecision d;
    const auto rcpts = reported_recipients(f.message);
    const auto& o = f.originals.empty() ? std::nullopt : f.originals.front();
    if (rcpts.empty() || (!ours(o, f) && !f.reported_had_mail)) {
        d.result = "unmatched";
        d.reply = smtp::replies::report_not_matched();
        return d;
    }
    d.suppress = rcpts.front();
    if (ours(o, f)) {
        const std::string line = "550 5.7.1 Complaint: the recipient reported this message (feedback-type=" +
                                 f.message.feedback_type.substr(0, 32) + ")";
        d.updates.push_back(
            update_for(*o, f, static_cast<int>(delivery::Status::spam), "SmtpContSpam", 550, line));
    }
    d.result = "complaint";
    d.reply = smtp::replies::report_accepted();
    return d;
}

} // namespace

LookupKeys lookup_keys(const ParsedMessage& m) {
    LookupKeys k;
    k.message_id = m.original_message_id;
    if (auto e = digits(common::trim(m.original_envelope_id))) k.envid = e;
    // A Message-ID, ours ("<hex.ENVID@hostname>") or the application's, is found only through the
    // delivery log's index: the whole value must match, random part included.
    return k;
}

std::vector<std::string> reported_recipients(const ParsedMessage& m) {
    std::vector<std::string> out;
    if (m.kind == Kind::delivery_report) {
        for (const auto& r : m.recipients)
            out.push_back(r.recipient());
    } else if (m.kind == Kind::feedback_report) {
        const auto& a = m.original_rcpt_to.empty() ? m.original_to : m.original_rcpt_to;
        if (!a.empty()) out.push_back(a);
    }
    return out;
}

InboundDecision decide(const InboundFacts& f) {
    switch (f.message.kind) {
    case Kind::delivery_report:
        return delivery_report(f);
    case Kind::feedback_report:
        return feedback_report(f);
    case Kind::malformed_report: {
        InboundDecision d;
        d.result = "malformed";
        d.reply = smtp::replies::report_malformed();
        return d;
    }
    case Kind::human:
        break;
    }
    InboundDecision d;
    if (f.reply_to.empty() || f.already_forwarded) {
        d.result = "refused";
        d.reply = smtp::replies::replies_not_accepted(f.local_address);
        return d;
    }
    d.result = "forward";
    d.forward_to = f.reply_to;
    return d;
}

std::string rewrite_event(std::string_view original, int status, int err_code, std::string_view err_msg,
                          std::string_view failed_type, std::string_view end_time) {
    std::string out;
    while (!original.empty()) {
        const auto amp = original.find('&');
        const std::string_view item = original.substr(0, amp);
        original = amp == std::string_view::npos ? std::string_view{} : original.substr(amp + 1);
        const auto eq = item.find('=');
        const std::string_view key = item.substr(0, eq);
        std::string value = eq == std::string_view::npos ? std::string() : std::string(item.substr(eq + 1));
        if (key == "end_time")
            value = std::string(end_time);
        else if (key == "status")
            value = std::to_string(status);
        else if (key == "err_code")
            value = std::to_string(err_code);
        else if (key == "err_msg")
            value = common::percent_encode(err_msg, kValueBytes);
        else if (key == "failed_type")
            value = common::percent_encode(failed_type, kValueBytes);
        if (!out.empty()) out += '&';
        out += std::string(key) + "=" + value;
    }
    return out;
}

} // namespace mailpush::inbound
