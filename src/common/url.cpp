#include "mailpush/common/url.hpp"

#include "mailpush/common/hex.hpp"

namespace mailpush::common {
namespace {
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
} // namespace

std::string percent_decode(std::string_view s, bool plus_as_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else if (s[i] == '+' && plus_as_space) {
            out += ' ';
        } else {
            out += s[i];
        }
    }
    return out;
}

std::string percent_encode(std::string_view s, const ByteSet& keep) {
    std::string out;
    out.reserve(s.size());
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (keep.contains(c)) {
            out += ch;
        } else {
            out += '%';
            append_hex(out, c, HexCase::upper);
        }
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> parse_form(std::string_view s) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        auto end = s.find('&', start);
        if (end == std::string_view::npos) end = s.size();
        const auto item = s.substr(start, end - start);
        if (!item.empty()) {
            const auto eq = item.find('=');
            out.emplace_back(percent_decode(item.substr(0, eq), true),
                             eq == std::string_view::npos ? std::string()
                                                          : percent_decode(item.substr(eq + 1), true));
        }
        start = end + 1;
    }
    return out;
}

} // namespace mailpush::common
