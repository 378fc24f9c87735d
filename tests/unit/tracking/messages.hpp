// Test messages for the rewriting tests and the checks they share: the bytes outside the HTML
// parts compared, and a part's HTML read back after transfer decoding.
#pragma once

#include "../../../src/tracking/mime_parts.hpp" // private to the tracking module: its ranges are what is checked
#include "../../../src/tracking/transfer.hpp"

#include <string>
#include <string_view>

namespace mailpush::tracking::test {

// "\n" -> "\r\n": the tests write messages with plain line ends.
inline std::string crlf(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

// Every byte outside the HTML parts' content is the same in both messages.
inline bool same_outside_html(std::string_view a, std::string_view b) {
    const auto pa = detail::find_html_parts(a), pb = detail::find_html_parts(b);
    if (pa.parts.size() != pb.parts.size()) return false;
    std::size_t at_a = 0, at_b = 0;
    for (std::size_t i = 0; i < pa.parts.size(); ++i) {
        if (a.substr(at_a, pa.parts[i].begin - at_a) != b.substr(at_b, pb.parts[i].begin - at_b))
            return false;
        at_a = pa.parts[i].end;
        at_b = pb.parts[i].end;
    }
    return a.substr(at_a) == b.substr(at_b);
}

// The transfer-decoded content of the message's n-th HTML part (in its charset).
inline std::string html_part(std::string_view message, std::size_t n = 0) {
    const auto scan = detail::find_html_parts(message);
    if (n >= scan.parts.size()) return "<no part " + std::to_string(n) + ">";
    const auto& p = scan.parts[n];
    return detail::decode_transfer(message.substr(p.begin, p.end - p.begin), p.encoding);
}

// The raw (encoded) content of the n-th HTML part.
inline std::string raw_html_part(std::string_view message, std::size_t n = 0) {
    const auto scan = detail::find_html_parts(message);
    if (n >= scan.parts.size()) return {};
    const auto& p = scan.parts[n];
    return std::string(message.substr(p.begin, p.end - p.begin));
}

inline std::size_t longest_line(std::string_view text) {
    std::size_t longest = 0, at = 0;
    while (at <= text.size()) {
        auto eol = text.find("\r\n", at);
        if (eol == std::string_view::npos) eol = text.size();
        longest = std::max(longest, eol - at);
        at = eol + 2;
    }
    return longest;
}

inline std::string token_of(std::uint32_t n) {
    return "T" + std::to_string(n);
}

constexpr std::string_view kBase = "http://dmtrace.example.com";
constexpr std::string_view kPixel =
    "<img src=\"http://dmtrace.example.com/o/T0\" width=\"1\" height=\"1\" alt=\"\" "
    "border=\"0\" style=\"width:1px;height:1px;border:0\">";

} // namespace mailpush::tracking::test
