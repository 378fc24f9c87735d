#include "mailpush/delivery/outcome.hpp"

#include "mailpush/delivery/event_format.hpp"

namespace mailpush::delivery {

std::string expiry_reply(const smtp::ServerReply& last, int attempts) {
    // The enhanced code's class is the reply code's (RFC 3463): 5.4.7 after a 5xx, else 4.4.7.
    const char* status = last.code >= 500 ? " 5.4.7" : " 4.4.7";
    return std::to_string(last.code) + status + " Delivery time expired after " + std::to_string(attempts) +
           (attempts == 1 ? " attempt" : " attempts") + "; last reply: " + last.line();
}

namespace {
// What expiry makes of the last classification: never an invalid address.
Classification expired(Classification c) {
    if (c.status == Status::invalid_address) c.status = Status::failure;
    if (c.failed_type == "SmtpNxBox") c.failed_type = "SmtpTempErr";
    c.retry = Retry::no;
    c.rule = "expired after " + c.rule;
    return c;
}
} // namespace

Outcome decide_outcome(const AttemptFacts& f, const OutcomeRules& rules) {
    using Clock = std::chrono::system_clock;
    Outcome out;
    const auto& rep = f.reply;
    out.classification = classify(rep.code, rep.text);
    const auto& cls = out.classification;
    const int attempts = f.recipient.attempts + 1;
    auto& rec = out.update.record;
    const std::string address(f.message.address(f.recipient.idx));
    rec = {f.message.envid,      f.recipient.idx, address,
           RcptState::delivered, attempts,        0,
           rep.line(),           cls.failed_type, static_cast<int>(cls.status)};
    out.update.attempt = {f.message.envid, f.recipient.idx, f.started_ms, f.now_ms, f.host_used, rep.line()};
    if (cls.status != Status::success) {
        const auto age = std::chrono::milliseconds(f.now_ms - f.message.received_at_ms);
        if (const auto delay = rules.policy.next_delay(static_cast<unsigned>(attempts), cls.retry, age)) {
            rec.state = RcptState::deferred;
            rec.next_attempt_ms = f.now_ms + delay->count();
            rec.status = 0;
            return out;
        }
        if (cls.retry != Retry::no) { // retryable, but max_lifetime is over
            out.classification = expired(cls);
            rec.state = RcptState::expired;
            rec.failed_type = cls.failed_type;
            rec.status = static_cast<int>(cls.status);
            rec.last_reply = expiry_reply(rep, attempts);
        } else {
            rec.state = RcptState::failed;
            out.hard_bounce = cls.failed_type == "SmtpNxBox" && rep.code / 100 == 5;
        }
    }
    const std::string mail_from(f.message.mail_from());
    const DeliveryEvent ev{f.message.envid,
                           f.msg_id,
                           mail_from,
                           mail_from,
                           address,
                           Clock::time_point(std::chrono::milliseconds(f.message.received_at_ms)),
                           Clock::time_point(std::chrono::milliseconds(f.now_ms)),
                           static_cast<int>(cls.status),
                           rules.region,
                           rep.code,
                           rec.last_reply,
                           cls.failed_type};
    out.update.event = format_delivery_event(ev, rules.event_utc_offset_minutes * 60);
    out.update.report.account = f.account;
    out.update.report.mail_from =
        f.message.auth_user().empty() ? mail_from : std::string(f.message.auth_user());
    out.update.report.tag = f.tag;
    out.update.report.subject = f.subject;
    return out;
}

} // namespace mailpush::delivery
