// What an inbound message does (docs/inbound.md): the correlation of a report with a message
// this account sent and the effect it has, or what becomes of a human reply. Pure: the handler
// looks the facts up, passes them (and the clock) in, and carries the decision out.
#pragma once

#include "mailpush/delivery/classifier.hpp"
#include "mailpush/delivery/records.hpp"
#include "mailpush/inbound/report.hpp"
#include "mailpush/smtp/reply.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::inbound {

// Where to look for the original message: our envid from Original-Envelope-Id (what we send as
// ENVID), and the returned Message-ID for the delivery log's index (the whole value must match:
// the envid inside one we generated is not enough, its random part counts too).
struct LookupKeys {
    std::optional<std::uint64_t> envid;
    std::string message_id;
};
LookupKeys lookup_keys(const ParsedMessage& message);

// The recipients a report names, in order: a DSN's blocks, or an ARF's Original-Rcpt-To (else
// the returned message's To:). Empty for anything else.
std::vector<std::string> reported_recipients(const ParsedMessage& message);

struct InboundFacts {
    const ParsedMessage& message;
    std::string local_address;      // the RCPT (lower-case)
    std::string local_account;      // the account whose domain the RCPT is on
    std::string reply_to;           // the RCPT's verified reply-to, if it is a sender address with one
    bool already_forwarded = false; // it carries our X-Mailpush-Forwarded-For: a loop
    // One per reported_recipients() entry: that recipient of the original message, if found.
    std::vector<std::optional<delivery::SentRecipient>> originals;
    bool reported_had_mail = false; // ARF: the reports show mail from local_account to the recipient
    std::int64_t now_ms = 0;
    int event_utc_offset_minutes = 480;
};

struct InboundDecision {
    std::string
        result; // the metric's label: bounce, no_effect, complaint, forward, unmatched, refused, malformed
    smtp::Reply reply; // for forward: what to send if the spool commit fails is the commit's own
    std::vector<delivery::RecipientUpdate> updates; // new final events (bounces, complaints)
    std::vector<std::string> hard_bounces;          // recipients whose bounce counts as hard
    std::string suppress;                           // complaint: the address to suppress
    std::string forward_to;                         // human reply: the reply-to address
};

InboundDecision decide(const InboundFacts& facts);

// The host recorded with an inbound report's attempt row (queue show, delivery details).
inline constexpr std::string_view kReportHost = "inbound report";

// The original event string with its result replaced: what a later report makes of it. Keys
// other than end_time, status, err_code, err_msg and failed_type are kept byte for byte.
std::string rewrite_event(std::string_view original, int status, int err_code, std::string_view err_msg,
                          std::string_view failed_type, std::string_view end_time);

} // namespace mailpush::inbound
