// What an attempt's reply means for one recipient: its new state (delivered, deferred with the
// next attempt from the retry policy, or failed), the attempt to record and, once final, the
// event string and its report row. Pure.
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
    bool hard_bounce = false; // failed for good as an unknown mailbox (the invalid-address library)
};

Outcome decide_outcome(const AttemptFacts& facts, const OutcomeRules& rules);

} // namespace mailpush::delivery
