// RFC 6376 §3.2 tag=value lists, shared by the signature header and the key record.
#include "internal.hpp"

#include <algorithm>

namespace mailpush::dkim::detail {
namespace {

bool is_fws(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim_fws(std::string_view s) {
    while (!s.empty() && is_fws(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_fws(s.back()))
        s.remove_suffix(1);
    return s;
}

bool valid_tag_name(std::string_view name) {
    if (name.empty() || !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')))
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
}

} // namespace

std::optional<TagList> parse_tag_list(std::string_view text) {
    TagList tags;
    while (true) {
        const auto semi = text.find(';');
        const std::string_view spec = trim_fws(text.substr(0, semi));
        const bool last = semi == std::string_view::npos;
        if (spec.empty()) {
            if (!last) return std::nullopt; // ";;" or a leading ';'
            break;                          // the optional final ';'
        }
        const auto eq = spec.find('=');
        if (eq == std::string_view::npos) return std::nullopt;
        const std::string_view name = trim_fws(spec.substr(0, eq));
        if (!valid_tag_name(name) || find_tag(tags, name) != nullptr) return std::nullopt;
        tags.emplace_back(std::string(name), std::string(trim_fws(spec.substr(eq + 1))));
        if (last) break;
        text.remove_prefix(semi + 1);
    }
    if (tags.empty()) return std::nullopt;
    return tags;
}

const std::string* find_tag(const TagList& tags, std::string_view name) {
    for (const auto& [tag, value] : tags)
        if (tag == name) return &value;
    return nullptr;
}

std::string strip_whitespace(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value)
        if (!is_fws(c)) out.push_back(c);
    return out;
}

} // namespace mailpush::dkim::detail
