// Trace headers added on acceptance: Received, and Message-ID/Date when missing.
// Pure: the caller supplies the date text and a fresh message id. Handles untrusted input.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::smtp {

struct TraceInfo {
    std::string hostname; // ours
    std::string helo;     // the client's EHLO/HELO name
    std::string peer_ip;
    std::string protocol; // "ESMTPA" / "ESMTPSA" (RFC 3848)
    std::string envid;
    std::string date;       // RFC 5322 date-time, e.g. "Mon, 23 Nov 2026 20:40:00 +0000"
    std::string message_id; // "<...@host>", used only when the message has none
};

// Length of the header section (up to, not including, the empty line), or the whole message.
std::size_t header_section_size(std::string_view message);

// Value of the first header called `name` in the header section, unfolded; nullopt if absent.
std::optional<std::string> find_header(std::string_view message, std::string_view name);

// Values of every header called `name`, unfolded, in order (a message may repeat From:).
std::vector<std::string> find_headers(std::string_view message, std::string_view name);

// Returns the message without any header called `name` (folded continuation lines included).
std::string remove_header(std::string message, std::string_view name);

// Returns the message with the trace headers in front.
std::string add_trace_headers(std::string_view message, const TraceInfo& info);
// What add_trace_headers puts in front; `message` may be only the header section (a message
// written to the spool in chunks).
std::string trace_prefix(std::string_view message, const TraceInfo& info);

} // namespace mailpush::smtp
