// RFC 6376 §3.4: simple and relaxed canonicalization of header fields and bodies.
#include "internal.hpp"

#include "mailpush/common/strings.hpp"

namespace mailpush::dkim {
namespace {

bool is_wsp(char c) {
    return c == ' ' || c == '\t';
}

// Relaxed header value (§3.4.2): unfolded, WSP runs as one SP, no WSP at either end.
void append_relaxed_value(std::string& out, std::string_view value) {
    bool pending_space = false;
    bool started = false;
    for (char c : value) {
        if (c == '\r' || c == '\n' || is_wsp(c)) {
            pending_space = started; // CRLF of a fold vanishes; the WSP after it remains
            continue;
        }
        if (pending_space) out.push_back(' ');
        pending_space = false;
        started = true;
        out.push_back(c);
    }
}

} // namespace

std::string canonical_header(Canonicalization c, std::string_view field) {
    if (c == Canonicalization::simple) {
        std::string out(field);
        out += "\r\n";
        return out;
    }
    const auto colon = field.find(':');
    std::string_view name = field.substr(0, colon);
    while (!name.empty() && is_wsp(name.back()))
        name.remove_suffix(1);
    std::string out = common::to_lower(name);
    out.push_back(':');
    if (colon != std::string_view::npos) append_relaxed_value(out, field.substr(colon + 1));
    out += "\r\n";
    return out;
}

std::string canonical_body(Canonicalization c, std::string_view body) {
    std::string out;
    out.reserve(body.size() + 2);
    std::size_t kept = 0; // length of `out` up to its last non-empty line
    std::size_t pos = 0;
    while (pos < body.size()) {
        auto end = body.find("\r\n", pos);
        const bool terminated = end != std::string_view::npos;
        if (!terminated) end = body.size();
        const std::string_view line = body.substr(pos, end - pos);
        pos = terminated ? end + 2 : end;
        const std::size_t start = out.size();
        if (c == Canonicalization::simple) {
            out.append(line);
        } else {
            bool pending_space = false;
            for (char ch : line) {
                if (is_wsp(ch)) {
                    pending_space = true;
                    continue;
                }
                if (pending_space) out.push_back(' ');
                pending_space = false;
                out.push_back(ch);
            }
        }
        const bool empty_line = out.size() == start;
        out += "\r\n"; // a last line without CRLF gets one (§3.4.3, §3.4.4)
        if (!empty_line) kept = out.size();
    }
    out.resize(kept);                                               // no empty lines at the end
    if (out.empty() && c == Canonicalization::simple) out = "\r\n"; // §3.4.3: an empty body is one CRLF
    return out;
}

} // namespace mailpush::dkim
