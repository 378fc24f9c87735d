// What the delivery log records per recipient and per attempt: the values the engine's
// decisions produce and the delivery log stores. Plain data.
#pragma once

#include "mailpush/delivery/report.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace mailpush::delivery {

// `expired`: still temporarily failing when max_lifetime ended (final, like failed; never a
// hard bounce). `failed`: a final failure reply, a DNS result or the operator's delete.
enum class RcptState { queued, deferred, delivered, failed, expired };
const char* to_string(RcptState s);

// A tracked message's links as stored at delivery: link n is urls[n-1].
struct MessageLinks {
    std::uint64_t envid = 0;
    std::vector<std::string> urls;
    std::string host; // the host its links name (lower case, no port): redirects answer only there
};

struct RecipientRecord {
    std::uint64_t envid = 0;
    int idx = 0;
    std::string address;
    RcptState state = RcptState::queued;
    int attempts = 0;
    std::int64_t next_attempt_ms = 0;
    std::string last_reply;  // "250 2.0.0 Ok"
    std::string failed_type; // classification of the last attempt
    int status = 0;          // 0/2/3/4 once final
};

struct AttemptRecord {
    std::uint64_t envid = 0;
    int idx = 0;
    std::int64_t started_ms = 0, ended_ms = 0;
    std::string host; // "mx1.example.com[192.0.2.1]:25", "capture:DIR", ...
    std::string reply;
};

// A recipient of a message we sent, as the delivery log knows it: what an inbound report about
// it is checked against (docs/inbound.md).
struct SentRecipient {
    RecipientRecord record;
    ReportRow report;  // account, sender, tag, subject; empty if not final
    std::string event; // its newest event string, "" if none
};

// One attempt's outcome for one recipient: the new state, its attempt and maybe its event.
struct RecipientUpdate {
    RecipientRecord record;
    AttemptRecord attempt;
    std::string event; // the seeds' event string if the recipient is now final, else empty
    ReportRow report;  // with the event: what reporting keeps (account, sender, tag, subject)
};

} // namespace mailpush::delivery
