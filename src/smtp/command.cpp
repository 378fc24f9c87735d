// Command and path parsing. Handles untrusted input.
#include "mailpush/smtp/command.hpp"

#include "mailpush/common/strings.hpp"

#include <algorithm>
#include <array>

namespace mailpush::smtp {
using common::iequals;

Command parse_command(std::string_view line) noexcept {
    static constexpr std::array<std::pair<std::string_view, Verb>, 14> verbs{{
        {"HELO", Verb::helo},
        {"EHLO", Verb::ehlo},
        {"MAIL", Verb::mail},
        {"RCPT", Verb::rcpt},
        {"DATA", Verb::data},
        {"RSET", Verb::rset},
        {"NOOP", Verb::noop},
        {"QUIT", Verb::quit},
        {"VRFY", Verb::vrfy},
        {"EXPN", Verb::expn},
        {"HELP", Verb::help},
        {"AUTH", Verb::auth},
        {"STARTTLS", Verb::starttls},
        {"BDAT", Verb::bdat},
    }};
    line = common::trim(line);
    const auto sp = line.find(' ');
    const auto word = line.substr(0, sp);
    const auto args = sp == std::string_view::npos ? std::string_view{} : common::trim(line.substr(sp + 1));
    for (const auto& [name, verb] : verbs)
        if (iequals(word, name)) return Command{verb, args};
    return Command{Verb::unknown, args};
}

bool is_ascii(std::string_view s) noexcept {
    for (char ch : s)
        if (static_cast<unsigned char>(ch) >= 0x80) return false;
    return true;
}

namespace {
bool is_atext(unsigned char c, bool utf8) {
    if (c >= 0x80) return utf8;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    static constexpr std::string_view specials = "!#$%&'*+-/=?^_`{|}~";
    return specials.find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_dot_atom(std::string_view s, bool utf8) {
    if (s.empty() || s.front() == '.' || s.back() == '.') return false;
    char prev = 0;
    for (char c : s) {
        if (c == '.') {
            if (prev == '.') return false;
        } else if (!is_atext(static_cast<unsigned char>(c), utf8)) {
            return false;
        }
        prev = c;
    }
    return true;
}

bool is_quoted_string(std::string_view s, bool utf8) {
    if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
    for (std::size_t i = 1; i + 1 < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '\\') {
            if (i + 2 >= s.size()) return false;
            const auto n = static_cast<unsigned char>(s[++i]);
            if (n < 32 || n > 126) return false;
        } else if (c == '"' || c < 32 || c == 127 || (c >= 0x80 && !utf8)) {
            return false;
        }
    }
    return true;
}

bool is_domain(std::string_view d, bool utf8) {
    if (d.empty() || d.size() > 255) return false;
    if (d.front() == '[') { // address literal: printable ASCII dcontent only (RFC 5321 §4.1.3)
        if (d.back() != ']' || d.size() <= 2) return false;
        return std::all_of(d.begin() + 1, d.end() - 1, [](char ch) {
            const auto c = static_cast<unsigned char>(ch);
            return c >= 33 && c <= 126 && c != '[' && c != ']' && c != '\\';
        });
    }
    std::size_t start = 0;
    while (start <= d.size()) {
        auto end = d.find('.', start);
        if (end == std::string_view::npos) end = d.size();
        const auto label = d.substr(start, end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
        for (char ch : label) {
            const auto c = static_cast<unsigned char>(ch);
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                            c == '-' || (c >= 0x80 && utf8);
            if (!ok) return false;
        }
        start = end + 1;
    }
    return true;
}
} // namespace

std::pair<std::string_view, std::string_view> split_address(std::string_view address) noexcept {
    const auto at = address.rfind('@');
    if (at == std::string_view::npos) return {address, {}};
    return {address.substr(0, at), address.substr(at + 1)};
}

bool is_valid_mailbox(std::string_view address, bool utf8) noexcept {
    if (address.size() > 254) return false;
    // RFC 6531 §3.3: a UTF-8 address must be well-formed UTF-8 (otherwise it could not be
    // stored or shown as the text the client sent).
    if (utf8 && !common::valid_utf8(address)) return false;
    const auto at = address.rfind('@');
    if (at == std::string_view::npos) return false;
    const auto [local, domain] = split_address(address);
    if (local.empty() || local.size() > 64) return false;
    return (is_dot_atom(local, utf8) || is_quoted_string(local, utf8)) && is_domain(domain, utf8);
}

bool same_mailbox(std::string_view a, std::string_view b) noexcept {
    const auto [la, da] = split_address(a);
    const auto [lb, db] = split_address(b);
    return la == lb && iequals(da, db);
}

std::string mailbox_key(std::string_view address) {
    const auto [local, domain] = split_address(address);
    return std::string(local) + "@" + common::to_lower(domain);
}

bool is_valid_xtext(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '+') {
            if (i + 2 >= s.size()) return false;
            for (int k = 1; k <= 2; ++k) {
                const char h = s[i + static_cast<std::size_t>(k)];
                if (!((h >= '0' && h <= '9') || (h >= 'A' && h <= 'F'))) return false;
            }
            i += 2;
        } else if (c < 33 || c > 126 || c == '=') {
            return false;
        }
    }
    return true;
}

PathResult parse_path_argument(std::string_view args, std::string_view keyword) {
    PathResult result;
    if (!common::istarts_with(args, keyword) || args.size() <= keyword.size() || args[keyword.size()] != ':')
        return result;
    auto rest = common::trim(args.substr(keyword.size() + 1));
    if (rest.empty()) return result;
    if (rest.front() != '<') {
        // RFC 5321 wants <path>; like Postfix (strict_rfc821_envelopes = no) we accept a bare
        // address, which some old client libraries still send.
        const auto sp = rest.find(' ');
        const auto bare = rest.substr(0, sp);
        if (bare.find_first_of("<>") != std::string_view::npos) return result;
        std::string bracketed = "<" + std::string(bare) + ">";
        if (sp != std::string_view::npos) bracketed += rest.substr(sp);
        return parse_path_argument(std::string(keyword) + ":" + bracketed, keyword);
    }
    // The path ends at the first '>' outside a quoted local part.
    std::size_t close = std::string_view::npos;
    bool quoted = false;
    for (std::size_t i = 1; i < rest.size(); ++i) {
        if (rest[i] == '\\' && quoted) {
            ++i;
        } else if (rest[i] == '"') {
            quoted = !quoted;
        } else if (rest[i] == '>' && !quoted) {
            close = i;
            break;
        }
    }
    if (close == std::string_view::npos) return result;
    PathArgument path;
    path.address = std::string(rest.substr(1, close - 1));
    // RFC 5321 §4.1.2 source routes ("@a,@b:user@c") are accepted and ignored.
    if (!path.address.empty() && path.address.front() == '@') {
        const auto colon = path.address.find(':');
        if (colon == std::string::npos) {
            result.error = PathError::bad_address;
            return result;
        }
        path.address.erase(0, colon + 1);
    }
    auto params = rest.substr(close + 1);
    if (!params.empty() && params.front() != ' ') return result;
    while (!(params = common::trim(params)).empty()) {
        const auto sp = params.find(' ');
        const auto token = params.substr(0, sp);
        params = sp == std::string_view::npos ? std::string_view{} : params.substr(sp);
        EsmtpParam p;
        const auto eq = token.find('=');
        p.keyword = std::string(token.substr(0, eq));
        for (auto& c : p.keyword)
            c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
        if (p.keyword.empty()) {
            result.error = PathError::bad_param;
            return result;
        }
        if (eq != std::string_view::npos) p.value = std::string(token.substr(eq + 1));
        path.params.push_back(std::move(p));
    }
    result.value = std::move(path);
    return result;
}

} // namespace mailpush::smtp
