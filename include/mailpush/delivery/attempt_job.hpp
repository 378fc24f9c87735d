// One delivery attempt as the scheduler plans it and a transport carries it out: a message to
// the recipients of one domain, over one route, with the replies filled in afterwards.
#pragma once

#include "mailpush/delivery/route.hpp"
#include "mailpush/smtp/client_session.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mailpush::delivery {

struct AttemptJob {
    std::uint64_t envid = 0;
    std::string domain;
    RouteTarget route;
    std::string cache_key;   // the route's destination: reused connections are per route target
    std::string destination; // limits and slow-down: a [[destination]] rule ("rule:gmail") or cache_key
    bool retry = false;      // every recipient was attempted before (the retry lane)
    unsigned max_messages_per_connection = 0; // 0 = the connection cache's default
    std::vector<int> rcpt_indices;
    smtp::OutboundMessage message; // recipients parallel to rcpt_indices
    std::string msg_id;
    std::string tag;     // from X-AliDM-Trace, for reporting
    std::string subject; // as in the header, for reporting
    // One-click unsubscribe (delivery/unsubscribe_headers.hpp): the sender address, the
    // envelope's level ("" none) and this recipient's List-Unsubscribe lines.
    std::string auth_user, unsubscribe, unsubscribe_lines;
    // Open and click tracking the envelope asked for (docs/tracking.md); either set: the job has
    // one recipient, whose body gets its own pixel and links.
    bool track_opens = false, track_links = false;
    bool tracked = false; // the body is this recipient's own tracked copy: its signatures are not shared
    std::int64_t started_ms = 0;
    std::vector<int> held_invalid; // recipients not attempted: in the invalid-address library
    // DKIM (src/delivery/delivery_signing.cpp): the size of the signature fields prepended to
    // message.body, the same signing for a converted body, and the 7-bit form once made.
    std::size_t signature_bytes = 0;
    std::function<std::string(std::string)> resign;
    std::optional<smtp::OutboundMessage> seven_bit;
    // A large body's attempt: the bytes it took from the budget of message bytes in memory (0:
    // let through uncharged, the only one out); nullopt: a small one, not counted.
    std::optional<std::uint64_t> memory_charge;
    // results
    std::vector<smtp::ServerReply> replies; // one per recipient
    std::string host_used;                  // for the attempt log
};

} // namespace mailpush::delivery
