// Enhanced mail system status codes (RFC 3463) as values: class.subject.detail, e.g. 5.7.8.
// Parsing is strict (class 2, 4 or 5; subject and detail of one to three digits) because the
// text comes from remote servers. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mailpush::smtp {

struct EnhancedStatus {
    std::uint8_t cls = 0;      // 2 success, 4 persistent transient failure, 5 permanent failure
    std::uint16_t subject = 0; // 0..999
    std::uint16_t detail = 0;  // 0..999

    friend constexpr bool operator==(const EnhancedStatus&, const EnhancedStatus&) = default;
};

// "5.7.8"
inline std::string to_string(EnhancedStatus s) {
    std::string out = std::to_string(s.cls);
    out += '.';
    out += std::to_string(s.subject);
    out += '.';
    out += std::to_string(s.detail);
    return out;
}

// One to three digits at the start of `in`; advances `in` past them.
constexpr std::optional<std::uint16_t> take_status_number(std::string_view& in) {
    std::size_t n = 0;
    unsigned value = 0;
    while (n < in.size() && n < 4 && in[n] >= '0' && in[n] <= '9')
        value = value * 10 + static_cast<unsigned>(in[n++] - '0');
    if (n == 0 || n > 3) return std::nullopt;
    in.remove_prefix(n);
    return static_cast<std::uint16_t>(value);
}

// The whole of `text` must be one code: "4.2.1" yes, "4.2.1 " or "3.1.1" or "5.1.1000" no.
constexpr std::optional<EnhancedStatus> parse_enhanced_status(std::string_view text) {
    if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.')
        return std::nullopt;
    const auto cls = static_cast<std::uint8_t>(text[0] - '0');
    text.remove_prefix(2);
    const auto subject = take_status_number(text);
    if (!subject || text.empty() || text[0] != '.') return std::nullopt;
    text.remove_prefix(1);
    const auto detail_number = take_status_number(text);
    if (!detail_number || !text.empty()) return std::nullopt;
    return EnhancedStatus{cls, *subject, *detail_number};
}

// The code a reply text starts with ("5.1.1 User unknown"), if it starts with one.
constexpr std::optional<EnhancedStatus> leading_enhanced_status(std::string_view text) {
    return parse_enhanced_status(text.substr(0, text.find(' ')));
}

} // namespace mailpush::smtp
