// Small ASCII string helpers shared by the protocol cores. No I/O, no locale.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::common {

char ascii_lower(char c) noexcept;
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b) noexcept;
bool istarts_with(std::string_view s, std::string_view prefix) noexcept;
std::string_view trim(std::string_view s) noexcept;
// "a, b,,c" -> {"a", "b", "c"}: the parts between `sep`, trimmed, empty ones dropped.
std::vector<std::string> split_list(std::string_view s, char sep);

// "2026-11-24", "2026-11-24 13:05" or "2026-11-24 13:05:09" in local time at `utc_offset_minutes`
// -> milliseconds since the epoch; nullopt for anything else.
std::optional<std::int64_t> parse_local_datetime(std::string_view text, int utc_offset_minutes) noexcept;

// Characters (code points) in UTF-8 text: limits such as "UserName <= 75" count what a person sees.
std::size_t utf8_length(std::string_view s) noexcept;

// Well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
bool valid_utf8(std::string_view s) noexcept;

// Parses a whole decimal number; rejects signs, blanks and overflow.
std::optional<std::uint64_t> parse_u64(std::string_view s) noexcept;

// "90", "30s", "5m", "1h", "3d", "250ms" -> duration. nullopt for anything else.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view s) noexcept;

// "1024", "64k", "15M", "2G" (binary multiples) -> bytes. nullopt for anything else.
std::optional<std::uint64_t> parse_size(std::string_view s) noexcept;

} // namespace mailpush::common
