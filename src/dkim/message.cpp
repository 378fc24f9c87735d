// A message's header fields and body, and the header data a signature covers (RFC 6376 §5.4.2).
#include "internal.hpp"

#include "mailpush/common/strings.hpp"

#include <algorithm>

namespace mailpush::dkim::detail {
namespace {
// RFC 5322 §3.6.8: a field name is printable US-ASCII without ':'.
bool valid_field_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= 33 && c <= 126; });
}
// CR and LF only as the CRLF of a fold; a lone one would be canonicalized differently by a
// verifier (and by ours once a DKIM-Signature field is above it).
bool no_lone_cr_or_lf(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n')) return false;
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) return false;
    }
    return true;
}
} // namespace

std::optional<ParsedMessage> parse_message(std::string_view message) {
    ParsedMessage out;
    std::size_t pos = 0;
    while (true) {
        if (message.substr(pos, 2) == "\r\n") {
            out.body = message.substr(pos + 2);
            return out;
        }
        // One field: up to a CRLF not followed by WSP.
        std::size_t end = pos;
        while (true) {
            end = message.find("\r\n", end);
            if (end == std::string_view::npos) return std::nullopt;
            if (end + 2 < message.size() && (message[end + 2] == ' ' || message[end + 2] == '\t')) {
                end += 2;
                continue;
            }
            break;
        }
        const std::string_view text = message.substr(pos, end - pos);
        const auto colon = text.find(':');
        if (colon == std::string_view::npos || colon == 0) return std::nullopt;
        std::string_view name = text.substr(0, colon);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) // obsolete "Name :" form
            name.remove_suffix(1);
        if (!valid_field_name(name) || !no_lone_cr_or_lf(text)) return std::nullopt;
        out.fields.push_back({name, text});
        pos = end + 2;
    }
}

std::string signed_header_data(Canonicalization c, const std::vector<Field>& fields,
                               const std::vector<std::string>& h) {
    std::vector<bool> used(fields.size(), false);
    std::string out;
    for (const auto& name : h) {
        for (std::size_t i = fields.size(); i-- > 0;) {
            if (!used[i] && common::iequals(fields[i].name, name)) {
                used[i] = true;
                out += canonical_header(c, fields[i].text);
                break;
            }
        }
    }
    return out;
}

} // namespace mailpush::dkim::detail
