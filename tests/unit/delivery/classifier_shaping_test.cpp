// The rate-limit replies that slow a destination down: all SmtpMfFreq, retried slower (also the
// 5xx forms: the seeds say "pause, then send again at a lower rate"), never a hard failure.
#include "mailpush/delivery/classifier.hpp"
#include "mailpush/delivery/retry_policy.hpp"

#include <gtest/gtest.h>

using namespace mailpush::delivery;

TEST(ClassifierShaping, RateLimitRepliesAreSenderFrequencyRetriedSlower) {
    const std::pair<int, const char*> replies[] = {
        {421, "HL:ICC"},
        {421, "HL:IFC connection frequency"},
        {421, "RP-001 too fast"},
        {421, "RP-003"},
        {451, "MI:SFQ sender frequency"},
        {550, "MI:STC"},
        {554, "MI:STC"},
        {550, "RP:TRC"},
        {550, "Connection frequency limited"},
        {550, "IP frequency limited"},
        {550, "Sender frequency limited"},
        {550, "Domain frequency limited"},
        {421, "4.7.0 [192.0.2.1] Our system has detected an unusual rate of unsolicited mail"},
        {451, "4.7.1 example.com has been temporarily rate limited"},
        {421, "4.7.0 Too many connections from your IP"},
        {452, "Too many messages in this session"},
    };
    for (const auto& [code, text] : replies) {
        const auto c = classify(code, text);
        EXPECT_EQ(c.failed_type, "SmtpMfFreq") << code << " " << text;
        EXPECT_EQ(c.retry, Retry::slower) << code << " " << text;
    }
}

TEST(ClassifierShaping, AFullMailboxWithTooManyMessagesDoesNotSlowTheDestination) {
    for (const auto* text : {"4.2.2 Mailbox has too many messages", "4.2.2 too many messages in mailbox"}) {
        const auto c = classify(452, text);
        EXPECT_NE(c.failed_type, "SmtpMfFreq") << text;
    }
}

TEST(ClassifierShaping, RecipientFatigueIsRetriedSlowerThanNormal) {
    const auto c = classify(450, "4.2.1 The user you are trying to contact is receiving mail at a rate that "
                                 "prevents additional messages from being delivered");
    EXPECT_EQ(c.failed_type, "SmtpRcptFreq");
    EXPECT_EQ(c.retry, Retry::slower);
    const RetryPolicy policy{std::chrono::milliseconds(60'000), std::chrono::hours(10),
                             std::chrono::hours(72)};
    const auto normal = policy.next_delay(1, Retry::yes, std::chrono::minutes(1));
    const auto slower = policy.next_delay(1, Retry::slower, std::chrono::minutes(1));
    ASSERT_TRUE(normal && slower);
    EXPECT_EQ(*slower, *normal * 4);
}
