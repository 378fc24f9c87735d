// Every code and phrase of the seeds' two bounce tables ("常见邮件推送退信代码" — the product's own
// codes — and "常见接收方退信代码" — the receivers' codes), with the classification we give it.
#include "mailpush/delivery/classifier.hpp"

#include <gtest/gtest.h>

namespace mailpush::delivery {
namespace {
struct Case {
    int code;
    const char* text;
    const char* failed_type;
    Status status;
    Retry retry;
};

constexpr auto S = Status::failure;
constexpr auto I = Status::invalid_address;
constexpr auto X = Status::spam;

const Case kProductCodes[] = {
    {535, "Authentication failure.", "SmtpZPermErr", S, Retry::no},
    {556, "The number of RCPTs is over size", "SmtpZPermErr", S, Retry::no},
    {557, "The length of DATA content is achieved the maximum threshold", "SmtpZPermErr", S, Retry::no},
    {559, "Invalid rcptto", "SmtpNxBox", I, Retry::no},
    {423, "Dns resolve error", "SysOutDnsResolveFail", S, Retry::yes},
    {524, "Host not found by dns resolve", "SysOutDnsResolveFail", S, Retry::no},
    {524, "Host not found by dns resolve [@ou070302]", "SysOutDnsResolveFail", S, Retry::no},
    {526, "No data by dns resolve", "SysOutDnsResolveFail", S, Retry::no},
    {427, "Socks Connect to UNREACHABLE host", "SmtpTempErr", S, Retry::yes},
    {552, "Monthly sending quota exceeded", "SmtpMfFreq", S, Retry::slower},
    {552, "Daily sending quota exceeded", "SmtpMfFreq", S, Retry::slower},
    {552, "Not enough sending quota", "SmtpMfFreq", S, Retry::slower},
    {554, "Reject by content spam", "SmtpContSpam", X, Retry::no},
    {551, "Main account unavailable", "SmtpZPermErr", S, Retry::no},
};

const Case kReceiverCodes[] = {
    // 接收地址不存在 (no such address)
    {521, "Recipient address rejected", "SmtpNxBox", I, Retry::no},
    {550, "5.1.1 https://support.google.com/mail/?p=NoSuchUser", "SmtpNxBox", I, Retry::no},
    {550, "5.1.1 https://support.google.com/mail/answer/6596", "SmtpNxBox", I, Retry::no},
    {550, "Invalid User", "SmtpNxBox", I, Retry::no},
    {550, "Mailbox not found", "SmtpNxBox", I, Retry::no},
    {550, "user not exist", "SmtpNxBox", I, Retry::no},
    {550, "User not found", "SmtpNxBox", I, Retry::no},
    {554,
     "delivery error: dd Sorry your message to a@b.test cannot be delivered. This account has been disabled "
     "or discontinued",
     "SmtpNxBox", I, Retry::no},
    {554, "delivery error: dd This user doesn't have a b.test account (a@b.test)", "SmtpNxBox", I, Retry::no},
    {550, "account does not exist", "SmtpNxBox", I, Retry::no},
    {550, "invalid address", "SmtpNxBox", I, Retry::no},
    {550, "invalid mailbox", "SmtpNxBox", I, Retry::no},
    {550, "invalid recipient", "SmtpNxBox", I, Retry::no},
    {550, "invalid user", "SmtpNxBox", I, Retry::no},
    {550, "a@b.test is not a valid mailbox", "SmtpNxBox", I, Retry::no},
    {550, "a@b.test is not a valid user", "SmtpNxBox", I, Retry::no},
    {550, "mailbox not found", "SmtpNxBox", I, Retry::no},
    {550, "no mailbox by that name", "SmtpNxBox", I, Retry::no},
    {550, "no mailbox here by that name", "SmtpNxBox", I, Retry::no},
    {550, "no such address", "SmtpNxBox", I, Retry::no},
    {550, "no such mailbox", "SmtpNxBox", I, Retry::no},
    {550, "no such recipient", "SmtpNxBox", I, Retry::no},
    {550, "no such user", "SmtpNxBox", I, Retry::no},
    {550, "recipient does not exist", "SmtpNxBox", I, Retry::no},
    {550, "recipient is not exist", "SmtpNxBox", I, Retry::no},
    {550, "recipient unknown", "SmtpNxBox", I, Retry::no},
    {550, "unknown or illegal alias", "SmtpNxBox", I, Retry::no},
    {550, "unknown user", "SmtpNxBox", I, Retry::no},
    {550, "user not found", "SmtpNxBox", I, Retry::no},
    {550, "5.1.1 <a@b.test>: User unknown", "SmtpNxBox", I, Retry::no},
    // 账号黑名单 (account blacklist)
    {550, "Mail is rejected by recipients", "SmtpZPermErr", S, Retry::no},
    {550, "sender in prision", "SmtpZPermErr", S, Retry::no},
    {550, "User in blacklist", "SmtpZPermErr", S, Retry::no},
    // IP 黑名单 (IP blacklist)
    {450, "DT:RBL", "SmtpZPermErr", S, Retry::yes},
    {554, "HL:IPB", "SmtpZPermErr", S, Retry::no},
    {550, "DY-001", "SmtpZPermErr", S, Retry::no},
    {550, "DY-002", "SmtpZPermErr", S, Retry::no},
    {550, "OU-001", "SmtpZPermErr", S, Retry::no},
    {550, "OU-002", "SmtpZPermErr", S, Retry::no},
    {550, "SC-003", "SmtpZPermErr", S, Retry::no},
    {550, "SC-004", "SmtpZPermErr", S, Retry::no},
    {550, "in an RBL", "SmtpZPermErr", S, Retry::no},
    {550, "ip in prision", "SmtpZPermErr", S, Retry::no},
    {550, "Your IP address is blacklisted", "SmtpZPermErr", S, Retry::no},
    {550, "5.7.1 Service unavailable; client [192.0.2.1] blocked using zen.example.org", "SmtpZPermErr", S,
     Retry::no},
    {553, "5.7.1 [BL21] Connections will not be accepted from 192.0.2.1", "SmtpZPermErr", S, Retry::no},
    {554, "5.7.1 Client host [192.0.2.1] blocked using bl.example.org", "SmtpZPermErr", S, Retry::no},
    {550, "5.7.1 Mail from IP 192.0.2.1 was rejected due to listing in Spamhaus SBL", "SmtpZPermErr", S,
     Retry::no},
    {550, "IP 192.0.2.1 is blocked", "SmtpZPermErr", S, Retry::no},
    {554, "IP in blacklist", "SmtpZPermErr", S, Retry::no},
    {598, "ip address in blacklist", "SmtpZPermErr", S, Retry::no},
    {550, "denied by RBL", "SmtpZPermErr", S, Retry::no},
    {550, "listed in a DNS blacklist", "SmtpZPermErr", S, Retry::no},
    {550, "found in the RBL", "SmtpZPermErr", S, Retry::no},
    {550, "is filtered by RBL", "SmtpZPermErr", S, Retry::no},
    {550, "192.0.2.1 is listed in RBL", "SmtpZPermErr", S, Retry::no},
    // 接收地址被限制 (recipient temporarily limited)
    {450, "4.2.1 https://support.google.com/mail/answer/6592", "SmtpRcptFreq", S, Retry::slower},
    {550, "Mailbox unavailable or access denied", "SmtpRcptFreq", S, Retry::slower},
    // IP 频率超限 (IP frequency)
    {421, "HL:ICC", "SmtpMfFreq", S, Retry::slower},
    {421, "HL:IFC", "SmtpMfFreq", S, Retry::slower},
    {421, "RP-001", "SmtpMfFreq", S, Retry::slower},
    {421, "RP-002", "SmtpMfFreq", S, Retry::slower},
    {421, "RP-003", "SmtpMfFreq", S, Retry::slower},
    {550, "Connection frequency limited", "SmtpMfFreq", S, Retry::slower},
    {550, "IP frequency limited", "SmtpMfFreq", S, Retry::slower},
    // 发信账号频率超限 (sender frequency)
    {451, "MI:SFQ", "SmtpMfFreq", S, Retry::slower},
    {550, "MI:STC", "SmtpMfFreq", S, Retry::slower},
    {550, "RP:TRC", "SmtpMfFreq", S, Retry::slower},
    {554, "MI:STC", "SmtpMfFreq", S, Retry::slower},
    {550, "Sender frequency limited", "SmtpMfFreq", S, Retry::slower},
    // 发信域名频率超限 (domain frequency)
    {550, "Domain frequency limited", "SmtpMfFreq", S, Retry::slower},
    // 垃圾邮件 (spam)
    {421, "4.7.0 [TSS04] Message from (192.0.2.1) temporarily deferred", "SmtpContSpam", X, Retry::yes},
    {421, "4.7.0 [TSS04] Message temporarily deferred", "SmtpContSpam", X, Retry::yes},
    {421, "4.7.0 https://support.google.com/mail/answer/188131", "SmtpContSpam", X, Retry::yes},
    {450, "Requested action not taken", "SmtpContSpam", X, Retry::yes},
    {451, "DT:SPM", "SmtpContSpam", X, Retry::yes},
    {550, "DT:SPM", "SmtpContSpam", X, Retry::no},
    {550, "SC-001", "SmtpContSpam", X, Retry::no},
    {521, "5.2.1 : AOL will not accept delivery of this message", "SmtpContSpam", X, Retry::no},
    {550, "5.7.1 Message rejected as spam by Content Filtering", "SmtpContSpam", X, Retry::no},
    {550, "Mail content denied", "SmtpContSpam", X, Retry::no},
    {550, "Suspected spam", "SmtpContSpam", X, Retry::no},
    {554, "Message not allowed", "SmtpContSpam", X, Retry::no},
    {550, "rejected as spam", "SmtpContSpam", X, Retry::no},
    {550, "message is spam", "SmtpContSpam", X, Retry::no},
    {550, "spam denied", "SmtpContSpam", X, Retry::no},
    {550, "spam detected", "SmtpContSpam", X, Retry::no},
    {550, "rejected by spam filtering", "SmtpContSpam", X, Retry::no},
    {550, "suspected spam", "SmtpContSpam", X, Retry::no},
    {550, "mail contain the spam contents", "SmtpContSpam", X, Retry::no},
    // 邮件大小超限 (message too large)
    {550, "Message too large", "SmtpZPermErr", S, Retry::no},
    {552, "Requested mail action aborted: exceeded mailsize limit", "SmtpZPermErr", S, Retry::no},
    // 邮箱空间满 (mailbox full)
    {452, "4.2.2 https://support.google.com/mail/?p=OverQuotaTemp", "SmtpRcptFreq", S, Retry::slower},
    {452, "4.2.2 https://support.google.com/mail/answer/6558", "SmtpRcptFreq", S, Retry::slower},
    {552, "5.2.2 https://support.google.com/mail/answer/6558", "SmtpRcptFreq", S, Retry::slower},
    {550, "mailbox limit exceeded", "SmtpRcptFreq", S, Retry::slower},
    {552, "mailbox is full", "SmtpRcptFreq", S, Retry::slower},
    {552, "5.2.1 Quota exceeded or service disabled", "SmtpRcptFreq", S, Retry::slower},
    {552, "user is over quota", "SmtpRcptFreq", S, Retry::slower},
    {552, "exceed mailbox quota", "SmtpRcptFreq", S, Retry::slower},
    // 接收方临时故障 (receiver temporary failure)
    {400, "the mta server of unexpected closed", "SmtpTempErr", S, Retry::yes},
    {450, "Service temporarily unavailable", "SmtpTempErr", S, Retry::yes},
    {451, "b.test Resources temporarily unavailable", "SmtpTempErr", S, Retry::yes},
    {451, "4.7.1 Sorry, the service is currently unavailable", "SmtpTempErr", S, Retry::yes},
    {451, "Internal resource temporarily unavailable", "SmtpTempErr", S, Retry::yes},
    {451, "Resources temporarily not available", "SmtpTempErr", S, Retry::yes},
    {451, "Temporarily unable to process your email", "SmtpTempErr", S, Retry::yes},
    // 账号灰名单 (greylisting)
    {450, "4.2.0 <a@b.test>: Recipient address rejected", "SmtpTempErr", S, Retry::yes},
    {451, "4.7.1 Greylisting in action", "SmtpTempErr", S, Retry::yes},
    {451, "Grey bounce", "SmtpTempErr", S, Retry::yes},
    {450, "you are grey listed", "SmtpTempErr", S, Retry::yes},
    // 接收地址格式错误 (bad address format)
    {501, "Bad address syntax", "SmtpNxBox", I, Retry::no},
    {550, "MI:IMF", "SmtpNxBox", I, Retry::no},
    // SPF 验证失败 (SPF failed)
    {520, "ip and spf record not match", "SmtpAuthFail", S, Retry::no},
    {550, "MI:SPF", "SmtpAuthFail", S, Retry::no},
    {550, "SPF check failed", "SmtpAuthFail", S, Retry::no},
    // 收信人配合问题 / 流控 / 无效地址 / 灰名单机制 / 收件方需放行
    {450, "user OverQuota", "SmtpRcptFreq", S, Retry::slower},
    {421, "has been temporarily rate limited", "SmtpMfFreq", S, Retry::slower},
    {554, "delivery error: dd", "SmtpNxBox", I, Retry::no},
    {450, "GreyListed", "SmtpTempErr", S, Retry::yes},
    {451, "please try again later", "SmtpTempErr", S, Retry::yes},
    {451, "come back later", "SmtpTempErr", S, Retry::yes},
    {451, "Internal resource temporarily unavailable - https://community.mimecast.com/docs/DOC-1369#451",
     "SmtpTempErr", S, Retry::yes},
    {454, "4.7.1 <a@b.test>: Relay access denied", "SmtpTempErr", S, Retry::yes},
};

void check(const Case& c) {
    const auto r = classify(c.code, c.text);
    EXPECT_EQ(r.failed_type, c.failed_type) << c.code << " " << c.text << " (rule " << r.rule << ")";
    EXPECT_EQ(r.status, c.status) << c.code << " " << c.text;
    EXPECT_EQ(r.retry, c.retry) << c.code << " " << c.text;
}
} // namespace

TEST(Classifier, ProductOwnCodes) {
    for (const auto& c : kProductCodes)
        check(c);
}

TEST(Classifier, ReceiverCodes) {
    for (const auto& c : kReceiverCodes)
        check(c);
}

TEST(Classifier, SuccessAndFallbacks) {
    const auto ok = classify(250, "Send Mail OK");
    EXPECT_EQ(ok.failed_type, "SendOk");
    EXPECT_EQ(ok.status, Status::success);
    EXPECT_EQ(classify(451, "something odd").failed_type, "SmtpTempErr");
    EXPECT_EQ(classify(553, "something odd").failed_type, "SmtpZPermErr");
    EXPECT_EQ(classify(354, "unexpected").retry, Retry::no);
}

TEST(Classifier, PhraseMatchingIsCaseInsensitive) {
    EXPECT_EQ(classify(550, "NO SUCH USER here").failed_type, "SmtpNxBox");
    // The phrase decides the type, the code decides the retry: a 5xx is final even when it says greylisted.
    EXPECT_EQ(classify(550, "GREYLISTED").failed_type, "SmtpTempErr");
    EXPECT_EQ(classify(550, "GREYLISTED").retry, Retry::no);
}

TEST(Classifier, EnhancedCodesMatchOnlyAtTheStart) {
    // "5.1.1" inside an IP address must not make a 550 a no-such-user.
    EXPECT_EQ(classify(550, "rejected from 10.5.1.1 by policy").failed_type, "SmtpZPermErr");
    EXPECT_EQ(classify(452, "from 104.2.2.9: try later").failed_type, "SmtpTempErr");
}

} // namespace mailpush::delivery
