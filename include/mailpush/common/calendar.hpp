// Calendar time: civil dates and times parsed and formatted over <chrono> and fmt. Pure, no
// locale, no time zone database: a local time is UTC shifted by a fixed offset, which callers
// add (format) or subtract (parse) themselves.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace mailpush::common {

using UnixSeconds = std::chrono::sys_seconds;

// True for a real day of the Gregorian calendar (no 31 February, 29 February in leap years).
bool valid_civil_date(int year, unsigned month, unsigned day) noexcept;

// Parses `text` that matches `layout` exactly: 'Y' (4 digits), 'M', 'D', 'h', 'm', 's' (2 digits
// each) stand for digits, anything else for itself; fields the layout lacks are 0 (day 1 for
// 'D'/'M'). The date must exist (year_month_day::ok()); hours 0-23, minutes and seconds 0-59
// (no clock that signs a request or fills a form shows a leap second).
// Example: parse_civil_time("2026-11-24T13:05:09Z", "YYYY-MM-DDThh:mm:ssZ").
std::optional<UnixSeconds> parse_civil_time(std::string_view text, std::string_view layout) noexcept;

// Shapes the code writes; each names the text it produces for 2026-11-24 13:05:09 UTC.
enum class TimeFormat {
    date,        // "2026-11-24"
    month,       // "2026-11"
    date_time,   // "2026-11-24 13:05:09"
    iso_minute,  // "2026-11-24T13:05Z"
    rfc5322_utc, // "Tue, 24 Nov 2026 13:05:09 +0000"
};

std::string format_time(UnixSeconds t, TimeFormat format);

// Whole seconds of a clock reading (floor), for formatting.
UnixSeconds to_unix_seconds(std::chrono::system_clock::time_point t) noexcept;

// The wall clock as integers, for the code at the edges that reads it (decisions take it as a
// parameter).
std::int64_t unix_seconds_now() noexcept;
std::int64_t unix_ms_now() noexcept;

} // namespace mailpush::common
