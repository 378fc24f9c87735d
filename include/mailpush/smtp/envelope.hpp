// The SMTP envelope of one accepted message: what the submission session learnt from MAIL and
// RCPT, as the spool stores it and the delivery engine reads it. Plain data, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::smtp {

struct Recipient {
    std::string address;
    std::string notify; // RFC 3461 NOTIFY value, upper-cased; empty if absent
    std::string orcpt;
};

// The `helo` of messages the OpenAPI submits: their channel is WEB/API, not SMTP.
inline constexpr std::string_view kApiHelo = "openapi";

struct Envelope {
    std::string mail_from;
    std::string auth_user;
    std::vector<Recipient> recipients;
    std::string body_type = "7BIT"; // or 8BITMIME
    bool smtputf8 = false;
    std::string ret;       // FULL / HDRS / empty
    std::string dsn_envid; // RFC 3461 ENVID, xtext
    std::uint64_t declared_size = 0;
    bool tls = false;
    std::string helo;
    // One-click unsubscribe (docs/suppression.md): the filter level an unsubscribe through this
    // message records ("mailfrom", ...); "" = no List-Unsubscribe. Set: one recipient per attempt.
    std::string unsubscribe;
    // Open and click tracking the sender asked for (docs/tracking.md). Either set: one recipient
    // per attempt, as each recipient's body carries its own links.
    bool track_opens = false, track_links = false;
};

} // namespace mailpush::smtp
