#include "mailpush/common/strings.hpp"

#include "mailpush/common/calendar.hpp"

#include <charconv>
#include <limits>

namespace mailpush::common {

char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = ascii_lower(c);
    return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

std::vector<std::string> split_list(std::string_view s, char sep) {
    std::vector<std::string> out;
    while (true) {
        const auto pos = s.find(sep);
        const auto part = trim(s.substr(0, pos));
        if (!part.empty()) out.emplace_back(part);
        if (pos == std::string_view::npos) break;
        s.remove_prefix(pos + 1);
    }
    return out;
}

std::optional<std::uint64_t> parse_u64(std::string_view s) noexcept {
    if (s.empty()) return std::nullopt;
    std::uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

namespace {
// Splits "15M" into (15, "M").
std::optional<std::pair<std::uint64_t, std::string_view>> number_and_unit(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9')
        ++i;
    auto n = parse_u64(s.substr(0, i));
    if (!n) return std::nullopt;
    return std::pair{*n, s.substr(i)};
}

std::optional<std::uint64_t> checked_mul(std::uint64_t a, std::uint64_t b) noexcept {
    if (b != 0 && a > std::numeric_limits<std::uint64_t>::max() / b) return std::nullopt;
    return a * b;
}
} // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view s) noexcept {
    auto nu = number_and_unit(s);
    if (!nu) return std::nullopt;
    std::uint64_t mult = 0;
    const auto unit = nu->second;
    if (unit == "ms")
        mult = 1;
    else if (unit.empty() || unit == "s")
        mult = 1000;
    else if (unit == "m")
        mult = 60'000;
    else if (unit == "h")
        mult = 3'600'000;
    else if (unit == "d")
        mult = 86'400'000;
    else
        return std::nullopt;
    auto ms = checked_mul(nu->first, mult);
    if (!ms || *ms > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return std::nullopt;
    return std::chrono::milliseconds(static_cast<std::int64_t>(*ms));
}

std::optional<std::uint64_t> parse_size(std::string_view s) noexcept {
    auto nu = number_and_unit(s);
    if (!nu) return std::nullopt;
    const auto unit = nu->second;
    std::uint64_t mult = 0;
    if (unit.empty())
        mult = 1;
    else if (unit == "k" || unit == "K")
        mult = 1024;
    else if (unit == "M")
        mult = 1024ULL * 1024;
    else if (unit == "G")
        mult = 1024ULL * 1024 * 1024;
    else
        return std::nullopt;
    return checked_mul(nu->first, mult);
}

std::optional<std::int64_t> parse_local_datetime(std::string_view t, int utc_offset_minutes) noexcept {
    static constexpr std::string_view kLayouts[] = {"YYYY-MM-DD", "YYYY-MM-DD hh:mm", "YYYY-MM-DD hh:mm:ss"};
    for (const auto layout : kLayouts) {
        if (layout.size() != t.size()) continue;
        const auto local = parse_civil_time(t, layout);
        if (!local) return std::nullopt;
        const auto utc = *local - std::chrono::minutes{utc_offset_minutes};
        return std::chrono::duration_cast<std::chrono::milliseconds>(utc.time_since_epoch()).count();
    }
    return std::nullopt;
}

std::size_t utf8_length(std::string_view s) noexcept {
    std::size_t n = 0;
    for (const char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

bool valid_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t n = 0;
        std::uint32_t cp = 0, min = 0;
        if ((c & 0xE0) == 0xC0) {
            n = 1, cp = c & 0x1Fu, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2, cp = c & 0x0Fu, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3, cp = c & 0x07u, min = 0x10000;
        } else {
            return false;
        }
        if (i + n >= s.size()) return false;
        for (std::size_t k = 1; k <= n; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (b & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += n + 1;
    }
    return true;
}

} // namespace mailpush::common
