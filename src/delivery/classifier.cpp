// The classification table. Rules are tried in order; the first match wins. Order matters
// where phrases overlap: blacklists ("Spamhaus") before spam, spam ("AOL will not accept",
// a 521) before the code-521 invalid-recipient rule, specific phrases before code fallbacks.
// Retry (docs/delivery.md): every 4xx is retried, as the hosted service does; 5xx is final,
// except the frequency classes (SmtpMfFreq, SmtpRcptFreq), which are retried more slowly.
// Enhanced status codes (RFC 3463) are compared as parsed values, never as strings: a pattern
// matches the code the reply text starts with ("5.1.1 ..."), never digits inside an IP.
#include "mailpush/delivery/classifier.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/smtp/enhanced_status.hpp"

#include <algorithm>
#include <vector>

namespace mailpush::delivery {
namespace {

// An enhanced status code pattern: class, subject, detail; -1 matches any value.
struct Enhanced {
    int cls = -1, subject = -1, detail = -1;
    bool matches(const smtp::EnhancedStatus& s) const {
        return (cls < 0 || cls == s.cls) && (subject < 0 || subject == s.subject) &&
               (detail < 0 || detail == s.detail);
    }
};

struct Rule {
    const char* name;
    Status status;
    const char* failed_type;
    int code_class;                        // 0 any, 4 or 5: only that class of reply
    std::vector<int> codes;                // exact codes (any if empty)
    std::vector<std::string_view> phrases; // case-insensitive substrings
    std::vector<Enhanced> enhanced = {};   // the text's leading enhanced code
    // With neither phrases nor enhanced patterns the rule matches any text; else any one of them.
};

bool icontains(std::string_view hay, std::string_view needle) {
    if (needle.size() > hay.size()) return false;
    for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i)
        if (common::iequals(hay.substr(i, needle.size()), needle)) return true;
    return false;
}

const std::vector<Rule>& rules() {
    static const std::vector<Rule> table{
        // The product's own DNS and connection results (SPEC §5).
        {"dns-not-found", Status::failure, "SysOutDnsResolveFail", 0, {524}, {}},
        {"dns-no-data", Status::failure, "SysOutDnsResolveFail", 0, {526}, {}},
        {"dns-error", Status::failure, "SysOutDnsResolveFail", 0, {423}, {"dns resolve error"}},
        {"connect-failed", Status::failure, "SmtpTempErr", 0, {427}, {"socks connect to"}},
        {"invalid-library", Status::invalid_address, "SysOutInvRcpt", 0, {559}, {"invalid-address library"}},
        {"suppression-list", Status::invalid_address, "SysOutSuppressed", 0, {558}, {"suppression list"}},
        // SPF / DKIM verification failed.
        {"spf-dkim",
         Status::failure,
         "SmtpAuthFail",
         0,
         {},
         {"ip and spf record not match", "MI:SPF", "SPF check failed", "SPF validation", "DKIM"},
         // RFC 7372: x.7.20-x.7.26, DKIM/SPF/reverse DNS/DMARC failed ("5.7.26 Unauthenticated email").
         {{-1, 7, 20}, {-1, 7, 21}, {-1, 7, 22}, {-1, 7, 23}, {-1, 7, 24}, {-1, 7, 25}, {-1, 7, 26}}},
        // Sender or IP blacklisted (account blacklist and IP blacklist rows).
        {"blacklist",
         Status::failure,
         "SmtpZPermErr",
         0,
         {},
         {"DT:RBL",
          "HL:IPB",
          "DY-001",
          "DY-002",
          "OU-001",
          "OU-002",
          "SC-003",
          "SC-004",
          "in an RBL",
          "ip in prision",
          "IP address is blacklisted",
          "blocked using",
          "Connections will not be accepted from",
          "listing in Spamhaus",
          "is blocked",
          "IP in blacklist",
          "ip address in blacklist",
          "denied by RBL",
          "in a DNS blacklist",
          "in the RBL",
          "is filtered by RBL",
          "is listed in RBL",
          "Mail is rejected by recipients",
          "sender in prision",
          "User in blacklist"}},
        // Content judged spam.
        {"spam",
         Status::spam,
         "SmtpContSpam",
         0,
         {},
         {"DT:SPM", "SC-001", "AOL will not accept delivery of this message", "rejected as spam",
          "Mail content denied", "Suspected spam", "Message not allowed", "as spam", "is spam", "spam denied",
          "spam detected", "spam filtering", "contain the spam contents", "Reject by content spam",
          "mail/answer/188131", "temporarily deferred"}},
        {"spam-450", Status::spam, "SmtpContSpam", 0, {450}, {"Requested action not taken"}},
        // Sender / IP / domain frequency limited (retried more slowly; the destination slows down:
        // the seeds say "pause, then send again at a lower rate", also for the 5xx forms).
        {"sender-frequency",
         Status::failure,
         "SmtpMfFreq",
         0,
         {},
         {"HL:ICC", "HL:IFC", "RP-001", "RP-002", "RP-003", "MI:SFQ", "MI:STC", "RP:TRC", "frequency limited",
          "rate limited", "rate limit", "sending quota", "unusual rate", "too many connections",
          "too many messages from", "too many messages sent", "too many messages in this session",
          "too many messages in this connection", "too many concurrent"}},
        // Recipient fatigue, over quota, mailbox full (retried more slowly).
        {"recipient-frequency",
         Status::failure,
         "SmtpRcptFreq",
         0,
         {},
         {"OverQuota", "over quota", "Quota exceeded", "exceed mailbox quota", "mailbox is full",
          "mailbox full", "mailbox limit exceeded", "mail/answer/6558", "mail/answer/6592",
          "Mailbox unavailable or access denied", "receiving mail at a rate"}},
        {"mailbox-full-code", Status::failure, "SmtpRcptFreq", 0, {}, {}, {{-1, 2, 2}}},
        // Any other security or policy refusal (x.7.x: blocked, policy, relaying denied, not
        // authorised). It judges the sender or the message, never the address: before the
        // no-such-user phrases ("550 5.7.1 ... invalid recipient policy" is not a bad address).
        {"policy-4xx", Status::failure, "SmtpTempErr", 4, {}, {}, {{4, 7, -1}}},
        {"policy-5xx", Status::failure, "SmtpZPermErr", 5, {}, {}, {{5, 7, -1}}},
        // No such user, or an address the receiving system refuses as invalid.
        {"no-such-user",
         Status::invalid_address,
         "SmtpNxBox",
         0,
         {},
         {"Bad address syntax",
          "MI:IMF",
          "delivery error: dd",
          "Invalid rcptto",
          "NoSuchUser",
          "account does not exist",
          "invalid address",
          "invalid mailbox",
          "invalid recipient",
          "invalid user",
          "is not a valid mailbox",
          "is not a valid user",
          "mailbox not found",
          "no mailbox by that name",
          "no mailbox here by that name",
          "no such address",
          "no such mailbox",
          "no such recipient",
          "no such user",
          "recipient does not exist",
          "recipient is not exist",
          "recipient unknown",
          "unknown or illegal alias",
          "unknown user",
          "user not found",
          "user unknown",
          "user not exist",
          "account has been disabled or discontinued",
          "doesn't have a"}},
        {"no-such-user-code", Status::invalid_address, "SmtpNxBox", 5, {521}, {}},
        // 5.1.1 bad destination mailbox (not 5.1.10, a null MX, which is a final SmtpZPermErr).
        {"no-such-user-enhanced", Status::invalid_address, "SmtpNxBox", 5, {}, {}, {{5, 1, 1}}},
        // Greylisting and other temporary trouble at the receiver.
        {"greylist",
         Status::failure,
         "SmtpTempErr",
         0,
         {},
         {"greylist", "grey list", "grey bounce", "try again later", "come back later",
          "temporarily unavailable", "temporarily not available", "temporarily unable", "unexpected closed"}},
        // Everything else, by the code's class.
        {"other-4xx", Status::failure, "SmtpTempErr", 4, {}, {}},
        {"other-5xx", Status::failure, "SmtpZPermErr", 5, {}, {}},
    };
    return table;
}

bool matches(const Rule& r, int code, std::string_view text, const std::optional<smtp::EnhancedStatus>& es) {
    if (r.code_class != 0 && code / 100 != r.code_class) return false;
    if (!r.codes.empty() && std::find(r.codes.begin(), r.codes.end(), code) == r.codes.end()) return false;
    if (r.phrases.empty() && r.enhanced.empty()) return true;
    if (es)
        for (const auto& e : r.enhanced)
            if (e.matches(*es)) return true;
    for (auto p : r.phrases)
        if (icontains(text, p)) return true;
    return false;
}

Retry retry_for(int code, std::string_view failed_type) {
    if (failed_type == "SmtpMfFreq" || failed_type == "SmtpRcptFreq") return Retry::slower;
    return code / 100 == 4 ? Retry::yes : Retry::no;
}

} // namespace

Classification classify(int code, std::string_view text) {
    if (code / 100 == 2) return {Status::success, "SendOk", Retry::no, "success"};
    const auto es = smtp::leading_enhanced_status(text);
    for (const auto& r : rules()) {
        if (!matches(r, code, text, es)) continue;
        return {r.status, r.failed_type, retry_for(code, r.failed_type), r.name};
    }
    // Not an SMTP reply code at all (e.g. 3xx where 2xx/4xx/5xx was due): a protocol error, final.
    return {Status::failure, "SmtpZPermErr", Retry::no, "protocol-error"};
}

} // namespace mailpush::delivery
