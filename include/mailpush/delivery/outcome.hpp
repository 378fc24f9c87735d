// What an attempt's reply means for one recipient: its new state (delivered, deferred with the
// next attempt from the retry policy, failed, or expired when a retryable failure has no
// attempt left within max_lifetime), the attempt to record and, once final, the event string
// and its report row. Pure: the clock is `now_ms`.
//
// Honest bounces: only a permanent (5xx) reply classified as an unknown mailbox is a hard
// bounce (the invalid-address library). Expiry is never one: an expired recipient is status 4
// (3 if the last reply was judged spam), failed_type as classified except that SmtpNxBox (a 4xx
// "user unknown") becomes SmtpTempErr, and its reply is expiry_reply().
#pragma once

#include "mailpush/delivery/classifier.hpp"
#include "mailpush/delivery/records.hpp"
#include "mailpush/delivery/retry_policy.hpp"
#include "mailpush/delivery/scheduler.hpp"
#include "mailpush/smtp/client_session.hpp"

#include <cstdint>
#include <string>

namespace mailpush::delivery {

struct OutcomeRules {
    RetryPolicy policy;
    std::string region;
    int event_utc_offset_minutes = 480;
};

struct AttemptFacts {
    const MessageInfo& message;
    const QueuedRecipient& recipient; // as before the attempt
    const smtp::ServerReply& reply;
    std::int64_t started_ms = 0;
    std::int64_t now_ms = 0;
    const std::string& host_used;
    const std::string& msg_id;
    const std::string& tag;
    const std::string& subject;
    const std::string& account; // "" if the sender is not known
};

struct Outcome {
    RecipientUpdate update; // the record carries the new state, attempts and next attempt
    Classification classification;
    bool hard_bounce = false; // failed for good on a 5xx unknown mailbox (the invalid-address library)
};

Outcome decide_outcome(const AttemptFacts& facts, const OutcomeRules& rules);

// "450 4.4.7 Delivery time expired after 5 attempts; last reply: 450 4.1.1 user unknown": the
// recorded reply (queue show, event err_msg, report) of an expired recipient; err_code stays the
// last reply's code. After a 5xx the enhanced code is 5.4.7 (its class matches the reply code).
std::string expiry_reply(const smtp::ServerReply& last, int attempts);

} // namespace mailpush::delivery
