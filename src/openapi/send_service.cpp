#include "mailpush/openapi/send_service.hpp"

#include "mailpush/common/calendar.hpp"
#include "mailpush/common/random.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/openapi/message_builder.hpp"
#include "mailpush/smtp/command.hpp"
#include "mailpush/store/store.hpp"

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <mutex>
#include <set>

namespace mailpush::openapi {
using common::utf8_length;

namespace {
constexpr std::size_t kMaxInFlight = 256; // batch commits outstanding at once (bounds memory)

bool valid_address(const std::string& a) {
    return !a.empty() && a.front() != '"' && smtp::is_valid_mailbox(a, false);
}

[[noreturn]] void fail(unsigned status, const std::string& code, const std::string& message) {
    throw ApiError{status, code, message};
}
// A refusal the monitor counts (docs/monitoring.md: WEB/API errors).
[[noreturn]] void fail(unsigned status, const std::string& code, const std::string& message,
                       store::MonitorItem item) {
    throw ApiError{status, code, message, item};
}

// Takes n from the account's quotas until the send is done: the returned hold gives back what
// was not sent (a failed store, an exception on the way).
store::QuotaHold reserve_quota(store::Store& store, const store::Directory& dir, const std::string& account,
                               std::int64_t n, std::int64_t now_s) {
    const auto* info = dir.account(account);
    if (!info) fail(404, "InvalidAccount.NotFound", "no such account");
    switch (store.quota().reserve(account, info->daily_quota, info->monthly_quota, n, now_s)) {
    case store::QuotaVerdict::ok:
        return store::QuotaHold(store.quota(), account, n, now_s);
    case store::QuotaVerdict::daily_exceeded:
        fail(400, "QuotaExceeded.Daily", "Daily sending quota exceeded", store::MonitorItem::api_error_quota);
    case store::QuotaVerdict::monthly_exceeded:
        fail(400, "QuotaExceeded.Monthly", "Monthly sending quota exceeded",
             store::MonitorItem::api_error_quota);
    case store::QuotaVerdict::not_enough:
        fail(400, "QuotaExceeded.NotEnough", "Not enough sending quota", store::MonitorItem::api_error_quota);
    }
    fail(500, "InternalError", "unknown quota verdict");
}

// Counts one submission against the account's rate until the send is done: released when
// nothing was stored (docs/accounts.md).
class RateHold {
public:
    // `now_ms`: the clock in milliseconds (SMTP counts in the same bucket with its own clock
    // reads; whole seconds would make the two disagree by up to a second).
    RateHold(store::Store& store, const store::Directory& dir, const std::string& account,
             std::int64_t now_ms)
        : store_(store)
        , account_(account)
        , rule_(dir.traffic_rules(account).submission) {
        if (store.traffic().reserve_submission(account, rule_, now_ms)) return;
        const auto wait_s = (store.traffic().submission_wait_ms(account, rule_, now_ms) + 999) / 1000;
        fail(400, "Throttling.User",
             "Sending rate limit of the account exceeded (at most " + std::to_string(rule_.limit) +
                 " submissions per " + std::to_string(rule_.window.count()) + " s); retry in " +
                 std::to_string(std::max<std::int64_t>(1, wait_s)) + " s.");
    }
    RateHold(const RateHold&) = delete;
    RateHold& operator=(const RateHold&) = delete;
    ~RateHold() {
        if (!kept_) store_.traffic().release_submission(account_, rule_);
    }
    void keep() { kept_ = true; }

private:
    store::Store& store_;
    std::string account_;
    store::RateRule rule_;
    bool kept_ = false;
};

bool fatigue_blocked(store::Store& store, const store::Directory& dir, const std::string& account,
                     const std::string& sender, const std::string& rcpt, std::int64_t now_s) {
    return store.traffic()
        .check_fatigue(account, sender, rcpt, dir.traffic_rules(account).fatigue, now_s)
        .blocked;
}

void count_fatigue(store::Store& store, const store::Directory& dir, const std::string& account,
                   const std::string& sender, const std::vector<std::string>& rcpts, std::int64_t now_s) {
    const auto rule = dir.traffic_rules(account).fatigue;
    for (const auto& r : rcpts)
        store.traffic().count_fatigue(account, sender, r, rule, now_s);
}

// Headers the caller may set (SPEC: the SDK's Headers parameter): Message-ID and X-* only.
std::vector<std::pair<std::string, std::string>> parse_custom_headers(const std::string& text) {
    std::vector<std::pair<std::string, std::string>> out;
    if (text.empty()) return out;
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object())
        fail(400, "InvalidParameter", "Headers must be a JSON object of header names to values");
    for (const auto& [name, value] : j.items()) {
        const bool allowed = (common::istarts_with(name, "X-") && !common::iequals(name, "X-AliDM-Trace") &&
                              !common::istarts_with(name, "X-Mailpush-")) ||
                             common::iequals(name, "Message-ID");
        bool token = !name.empty() && name.size() <= 64;
        for (const char c : name)
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
                token = false;
        if (!allowed || !token) fail(400, "InvalidParameter", "Headers: header not allowed: " + name);
        if (!value.is_string() || !header_safe(value.get<std::string>()) ||
            value.get<std::string>().size() > 998)
            fail(400, "InvalidParameter", "Headers: value of " + name + " must be one line of text");
        out.emplace_back(name, value.get<std::string>());
    }
    return out;
}

std::string envelope_sender(const std::string& sender, int address_type) {
    if (address_type == 1) return sender;
    // AddressType 0: a random local part at the sender's domain (the hosted service's "random account").
    return "r" + common::to_lower(common::random_token(12)) + "@" +
           std::string(smtp::split_address(sender).second);
}
// The send's link type and filter level: InvalidParameter for unknown values.
struct UnsubscribeAsk {
    store::LinkType link;
    store::FilterLevel level;
};
UnsubscribeAsk unsubscribe_ask(const std::string& link_text, const std::string& level_text,
                               store::FilterLevel account_level) {
    const auto link = store::parse_link_type(link_text, false);
    if (!link) fail(400, "InvalidParameter", "UnSubscribeLinkType must be default or disabled");
    const auto level = store::resolve_filter_level(level_text, account_level);
    if (!level)
        fail(400, "InvalidParameter",
             "UnSubscribeFilterLevel must be default, mailfrom, mailfrom_domain, edm_id or disabled");
    return {*link, *level};
}
} // namespace

std::string SendService::unsubscribe_lines(const store::UnsubscribeClaim& claim, bool wanted) const {
    if (!wanted) return "";
    return store_.unsubscribe_lines(claim);
}

SendService::SendService(store::Store& store, const OpenApiOptions& options, const OpenApiBackends& backends)
    : store_(store)
    , options_(options)
    , backends_(backends) {}

std::string SendService::check_sender(const std::string& account, const std::string& sender,
                                      const common::ClientOrigin& origin, bool batch) {
    const auto dir = store_.directory();
    const auto* s = dir->sender(sender);
    if (!s || s->account != account)
        fail(400, "InvalidMailAddress.NotFound", "The specified mailAddress does not exist.");
    if (!s->account_active) fail(403, "InvalidUser.Suspended", "Main account unavailable");
    if (!origin.trusted() && !dir->ip_allowed(account, origin.ip()))
        fail(403, "Forbidden.IpProtection",
             "IP protection: " + origin.ip() + " is not in the account's allowed IPs");
    if (options_.require_verified_domain && !s->domain_verified)
        fail(400, "InvalidMailAddressDomain.NotVerified",
             "The domain of the sender address is not verified.");
    if (batch && s->type != "batch")
        fail(400, "InvalidMailAddressSendType.Malformed",
             "The specified mailAddress sendType is wrongly formed: batch mail needs a batch address.");
    return s->reply_to;
}

std::vector<std::optional<std::uint64_t>>
SendService::commit_all(std::size_t count, const std::function<Message(std::size_t)>& make,
                        const common::ClientOrigin& origin) {
    // As SMTP answers 452 at MAIL: refuse before writing anything when the disk is nearly full.
    if (backends_.storage_low && backends_.storage_low())
        fail(503, "ServiceUnavailable", "Insufficient system storage; retry later.");
    std::vector<std::optional<std::uint64_t>> results(count);
    std::mutex mutex;
    std::condition_variable cv;
    std::size_t in_flight = 0;
    for (std::size_t i = 0; i < count; ++i) {
        {
            std::unique_lock lock(mutex);
            cv.wait(lock, [&] { return in_flight < kMaxInFlight; });
            ++in_flight;
        }
        auto [envelope, body] = make(i);
        backends_.submit(std::move(envelope), std::move(body), origin.ip(),
                         [&, i](std::optional<std::uint64_t> envid) {
                             std::lock_guard lock(mutex);
                             results[i] = envid;
                             --in_flight;
                             cv.notify_all();
                         });
    }
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return in_flight == 0; });
    return results;
}

void SendService::check_tracking(const std::string& sender, bool wanted) const {
    if (!wanted || store_.directory()->tracking_allowed(sender)) return;
    fail(400, "InvalidClickTrace.NotVerified",
         "Tracking needs the tracking record of the sender's domain (CNAME dmtrace." +
             std::string(smtp::split_address(sender).second) + ") verified.");
}

SingleResult SendService::single(const SingleSend& r, const common::ClientOrigin& origin,
                                 std::int64_t now_s) {
    if (r.address_type != 0 && r.address_type != 1)
        fail(400, "InvalidParameter", "AddressType must be 0 or 1");
    const std::string verified_reply_to = check_sender(r.account, r.sender, origin, false);
    check_tracking(r.sender, r.click_trace);
    if (r.subject.empty() || utf8_length(r.subject) > 100 || !header_safe(r.subject))
        fail(400, "InvalidSubject.Malformed",
             "The specified subject is wrongly formed (1-100 characters, one line).");
    if (utf8_length(r.from_alias) > 15 || !header_safe(r.from_alias))
        fail(400, "InvalidFromAlias.Malformed",
             "The specified fromAlias is wrongly formed (at most 15 characters).");
    if (r.html_body.empty() && r.text_body.empty())
        fail(400, "InvalidBody",
             "The specified textBody or htmlBody is wrongly formed: one of them is required.");
    if (!r.tag.empty() && !store_.has_tag(r.account, r.tag))
        fail(400, "InvalidTagName.Malformed", "The specified tagName does not exist.");
    std::string reply_to = r.reply_address;
    if (!reply_to.empty() && (!valid_address(reply_to) || !header_safe(r.reply_alias)))
        fail(400, "InvalidReplyAddress.Malformed", "The specified ReplyAddress is wrongly formed.");
    if (reply_to.empty() && r.use_reply_to) {
        if (verified_reply_to.empty())
            fail(400, "InvalidReplyAddress.NotVerified",
                 "The sender address has no verified reply-to address.");
        reply_to = verified_reply_to;
    }
    auto headers = parse_custom_headers(r.headers_json);
    const auto ask = unsubscribe_ask(r.unsubscribe_link_type, r.unsubscribe_filter_level,
                                     store_.directory()->filter_level(r.account));

    // Recipients: up to 100, a list alias stands for its members; the invalid library is skipped.
    // BccAddress: recipients that no header shows. Both lists together stay within the cap.
    const auto dir = store_.directory();
    std::size_t given = 0;
    auto split = [&](const std::string& list) {
        std::vector<std::string> out;
        for (std::size_t start = 0; start <= list.size();) {
            auto end = list.find(',', start);
            if (end == std::string::npos) end = list.size();
            const std::string addr(common::trim(std::string_view(list).substr(start, end - start)));
            start = end + 1;
            if (addr.empty()) continue;
            if (++given > options_.max_api_recipients || !valid_address(addr))
                fail(400, "InvalidToAddress",
                     "The specified toAddress is wrongly formed (at most " +
                         std::to_string(options_.max_api_recipients) + " valid addresses).");
            out.push_back(addr);
        }
        return out;
    };
    const std::vector<std::string> to_header = split(r.to);
    if (to_header.empty()) fail(400, "InvalidToAddress", "The specified toAddress is empty.");
    std::vector<std::string> all = to_header;
    for (auto& b : split(r.bcc))
        all.push_back(std::move(b));
    // Expanded, without duplicates (an address given twice, or also on a list, gets one copy).
    std::vector<std::string> rcpts;
    std::set<std::string> seen;
    SingleResult out;
    std::vector<store::SuppressedSend> stopped; // skipped: no quota, no message; an event each
    const auto mail_from = envelope_sender(r.sender, r.address_type);
    for (auto& a : dir->expand(r.account, all)) {
        if (!seen.insert(common::to_lower(a)).second) continue;
        if (auto source = dir->suppressed(r.account, a, r.sender, ask.level)) {
            stopped.push_back({r.account, r.sender, mail_from, a, std::move(*source), r.tag, r.subject});
            out.suppressed.push_back(std::move(a));
            continue;
        }
        if (fatigue_blocked(store_, *dir, r.account, r.sender, a, now_s)) {
            out.blocked.push_back(std::move(a));
            continue;
        }
        rcpts.push_back(std::move(a));
    }
    if (rcpts.empty() && !out.suppressed.empty() && out.blocked.empty()) {
        record_suppressed(std::move(stopped));
        fail(400, "InvalidToAddress.Suppressed", "Every recipient is on the account's suppression list.");
    }
    if (rcpts.empty() && !out.blocked.empty()) {
        record_suppressed(std::move(stopped));
        fail(400, "InvalidToAddress.Blocked",
             "Every recipient is blocked by the sending-frequency limit or the suppression list "
             "(ListBlockSending shows the blocks).");
    }
    if (rcpts.empty())
        fail(400, "InvalidToAddress.Spam", "Sendmail rejected by invalid address.",
             store::MonitorItem::api_error_invalid);
    auto quota = reserve_quota(store_, *dir, r.account, static_cast<std::int64_t>(rcpts.size()), now_s);
    RateHold rate(store_, *dir, r.account, common::unix_ms_now());

    // With a List-Unsubscribe link every recipient has a header of its own: one message each.
    const auto* sender = dir->sender(r.sender);
    const bool link = store::wants_unsubscribe_link(ask.link, sender ? sender->type : "");
    MailContent content{r.sender, r.from_alias,  to_header, r.subject,     r.text_body,       r.html_body,
                        reply_to, r.reply_alias, r.tag,     r.click_trace, std::move(headers)};
    const std::string body = build_message(content, "=_mp_" + common::random_token(24));
    if (body.size() > options_.max_message_bytes)
        fail(400, "InvalidBody", "The message is larger than the size limit.",
             store::MonitorItem::api_error_length);
    auto envelope = [&](const std::vector<std::string>& to) {
        smtp::Envelope env;
        env.mail_from = envelope_sender(r.sender, r.address_type);
        env.auth_user = r.sender;
        env.helo = smtp::kApiHelo;
        env.body_type = "8BITMIME";
        env.track_opens = env.track_links = r.click_trace;
        for (const auto& a : to)
            env.recipients.push_back({a, "", ""});
        return env;
    };
    const std::size_t messages = link ? rcpts.size() : 1;
    const auto results = commit_all(
        messages,
        [&](std::size_t i) {
            if (!link) return Message{envelope(rcpts), body};
            const store::UnsubscribeClaim claim{r.account, r.sender, rcpts[i],
                                                store::recorded_level(ask.level), r.tag};
            return Message{envelope({rcpts[i]}), unsubscribe_lines(claim, true) + body};
        },
        origin);
    std::int64_t kept = 0;
    for (std::size_t i = 0; i < results.size(); ++i)
        if (results[i]) {
            kept += link ? 1 : static_cast<std::int64_t>(rcpts.size());
            if (out.envid == 0) out.envid = *results[i];
        }
    quota.keep(kept);
    if (kept == 0) fail(503, "ServiceUnavailable", "The message could not be stored; retry later.");
    rate.keep();
    std::vector<std::string> sent; // the recipients of the messages stored
    for (std::size_t i = 0; i < results.size(); ++i)
        if (results[i]) {
            if (!link) {
                sent = rcpts;
                break;
            }
            sent.push_back(rcpts[i]);
        }
    count_fatigue(store_, *dir, r.account, r.sender, sent, now_s);
    record_suppressed(std::move(stopped));
    return out;
}

store::SendTask SendService::batch(const BatchSend& r, const common::ClientOrigin& origin, std::int64_t now_s,
                                   std::uint64_t& first_envid) {
    if (r.address_type != 0 && r.address_type != 1)
        fail(400, "InvalidParameter", "AddressType must be 0 or 1");
    check_sender(r.account, r.sender, origin, true);
    check_tracking(r.sender, r.click_trace);
    store::Template tpl;
    try {
        tpl = store_.get_template(r.account, r.template_name);
    } catch (const store::StoreError&) {
        fail(404, "InvalidTemplate.NotFound", "The specified template does not exist.");
    }
    if (tpl.status != "approved")
        fail(400, "InvalidTemplateStatus.Malformed", "The template is " + tpl.status + ", not approved.");
    if (!r.tag.empty() && !store_.has_tag(r.account, r.tag))
        fail(400, "InvalidTagName.Malformed", "The specified tagName does not exist.");
    if (!r.reply_address.empty() && (!valid_address(r.reply_address) || !header_safe(r.reply_alias)))
        fail(400, "InvalidReplyAddress.Malformed", "The specified ReplyAddress is wrongly formed.");
    std::vector<store::ReceiverRow> members;
    try {
        members = store_.list_receivers(r.account, r.receivers, "", store_.limits().max_receivers_per_list);
    } catch (const store::StoreError&) {
        fail(400, "InvalidReceiverName.Malformed", "The specified receiver list does not exist.");
    }
    if (members.empty()) fail(400, "InvalidReceiverName.Malformed", "The specified receiver list is empty.");
    const auto dir = store_.directory();
    const auto ask =
        unsubscribe_ask(r.unsubscribe_link_type, r.unsubscribe_filter_level, dir->filter_level(r.account));
    std::vector<const store::ReceiverRow*> targets; // members not suppressed (invalid library included)
    std::vector<store::SuppressedSend> stopped;     // an event each once the task is done
    for (const auto& m : members) {
        if (auto source = dir->suppressed(r.account, m.email, r.sender, ask.level))
            stopped.push_back({r.account, r.sender, envelope_sender(r.sender, r.address_type), m.email,
                               std::move(*source), r.tag, render_template(tpl.subject, m)});
        else if (!fatigue_blocked(store_, *dir, r.account, r.sender, m.email, now_s))
            targets.push_back(&m);
    }
    const auto skipped = static_cast<std::int64_t>(members.size() - targets.size());
    const auto* sender = dir->sender(r.sender);
    const bool link = store::wants_unsubscribe_link(ask.link, sender ? sender->type : "");
    auto quota = reserve_quota(store_, *dir, r.account, static_cast<std::int64_t>(targets.size()), now_s);
    RateHold rate(store_, *dir, r.account, common::unix_ms_now()); // the whole batch is one submission

    store::SendTask task;
    task.account = r.account;
    task.address = r.sender;
    task.address_type = r.address_type;
    task.template_name = r.template_name;
    task.receivers = r.receivers;
    task.tag = r.tag;
    task.track = r.click_trace;
    task.status = "sending";
    task.total = static_cast<std::int64_t>(members.size());
    task = store_.add_task(task);

    auto make = [&](std::size_t i) {
        const auto& m = *targets[i];
        MailContent content{r.sender,
                            tpl.from_alias,
                            {m.email},
                            render_template(tpl.subject, m),
                            tpl.type == "text" ? render_template(tpl.body, m) : "",
                            tpl.type == "text" ? "" : render_template(tpl.body, m),
                            r.reply_address,
                            r.reply_alias,
                            r.tag,
                            r.click_trace,
                            {}};
        content.subject = one_line(std::move(content.subject)); // list data may hold a line break
        smtp::Envelope env;
        env.mail_from = envelope_sender(r.sender, r.address_type);
        env.auth_user = r.sender;
        env.helo = smtp::kApiHelo;
        env.body_type = "8BITMIME";
        env.track_opens = env.track_links = r.click_trace;
        env.recipients.push_back({m.email, "", ""});
        const store::UnsubscribeClaim claim{r.account, r.sender, m.email, store::recorded_level(ask.level),
                                            r.tag};
        return Message{std::move(env), unsubscribe_lines(claim, link) +
                                           build_message(content, "=_mp_" + common::random_token(24))};
    };
    const auto results = commit_all(targets.size(), make, origin);
    std::int64_t queued = 0;
    first_envid = 0;
    for (const auto& e : results)
        if (e) {
            ++queued;
            if (first_envid == 0) first_envid = *e;
        }
    quota.keep(queued);
    if (queued > 0) rate.keep();
    std::vector<std::string> sent;
    for (std::size_t i = 0; i < results.size(); ++i)
        if (results[i]) sent.push_back(targets[i]->email);
    count_fatigue(store_, *dir, r.account, r.sender, sent, now_s);
    record_suppressed(std::move(stopped));
    const auto failed = static_cast<std::int64_t>(results.size()) - queued;
    return store_.finish_task(task.id, queued, skipped + failed, failed == 0 ? "done" : "partial");
}

void SendService::record_suppressed(std::vector<store::SuppressedSend> stopped) const {
    if (!backends_.suppressed) return;
    for (auto& s : stopped) {
        s.subject = one_line(std::move(s.subject)); // list data may hold a line break
        backends_.suppressed(std::move(s));
    }
}

std::uint64_t SendService::system_mail(const std::string& to, const std::string& subject,
                                       const std::string& text) {
    const std::string from =
        options_.system_sender.empty() ? "noreply@" + options_.hostname : options_.system_sender;
    MailContent content{from, "mailpush", {to}, subject, text, "", "", "", "", false, {}};
    smtp::Envelope env;
    env.mail_from = from;
    env.helo = smtp::kApiHelo;
    env.body_type = "8BITMIME";
    env.recipients.push_back({to, "", ""});
    std::string body = build_message(content, "=_mp_" + common::random_token(24));
    const auto result = commit_all(
                            1,
                            [&](std::size_t) {
                                return Message{std::move(env), std::move(body)};
                            },
                            common::ClientOrigin::internal())
                            .front();
    if (!result) fail(503, "ServiceUnavailable", "The message could not be stored; retry later.");
    return *result;
}

std::uint64_t SendService::reply_to_verification(const std::string& address, const std::string& reply_to,
                                                 const std::string& token, bool chinese) {
    const auto link = options_.public_url + "/reply-to/confirm?token=" + token;
    if (chinese)
        return system_mail(reply_to, "确认回信地址：" + address,
                           "有人申请将本地址设为 " + address +
                               " 的回信地址。\r\n确认请在 10 分钟内打开以下链接：\r\n\r\n" + link +
                               "\r\n\r\n如果这不是您的操作，请忽略本邮件。\r\n");
    return system_mail(reply_to, "Confirm the reply-to address for " + address,
                       "Someone asked to use this address as the reply-to address of " + address +
                           ".\r\nTo confirm, open this link within 10 minutes:\r\n\r\n" +
                           options_.public_url + "/reply-to/confirm?token=" + token +
                           "\r\n\r\nIf you did not ask for this, ignore this mail.\r\n");
}

} // namespace mailpush::openapi
