// Delivery reporting (SPEC §7): one row per recipient once its result is final, and the
// queries over them (details searchable by time, sender, recipient, tag and result; daily
// statistics per sender or tag). Plain records; the delivery log stores and answers them.
#pragma once

#include "mailpush/smtp/trace_header.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace mailpush::delivery {

struct ReportRow {
    std::uint64_t envid = 0;
    std::string account;
    std::string mail_from; // the sender address (the envelope's AUTH identity)
    std::string rcpt;
    std::string tag;
    std::string subject;
    int status = 0; // 0 delivered, 2 invalid address, 3 spam, 4 failed
    std::string failed_type;
    std::string reply;
    std::int64_t ended_ms = 0;
};

struct DetailQuery {
    std::string account;              // required
    std::int64_t from_ms = 0;         // inclusive
    std::int64_t to_ms = INT64_MAX;   // exclusive
    std::string mail_from, rcpt, tag; // "" = any
    int status = -1;                  // -1 = any
    std::size_t offset = 0, limit = 100;
};

struct StatQuery {
    std::string account;
    std::int64_t from_ms = 0, to_ms = INT64_MAX;
    std::string mail_from, tag; // "" = any
    std::string group = "day";  // "day", "sender" or "tag"
    int utc_offset_minutes = 480;
};

struct StatRow {
    std::string key; // the day (YYYY-MM-DD, local), the sender or the tag
    std::int64_t total = 0, delivered = 0, invalid = 0, spam = 0, failed = 0;
};

// The X-AliDM-Trace control header, read in smtp (the SMTP commit needs it too).
using smtp::parse_trace_header;
using smtp::TraceOptions;

} // namespace mailpush::delivery
