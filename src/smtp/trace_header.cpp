// The X-AliDM-Trace header's reader (see trace_header.hpp). Untrusted input: a bad value is no
// tracking, never an error.
#include "mailpush/smtp/trace_header.hpp"

#include "mailpush/common/base64.hpp"
#include "mailpush/common/strings.hpp"

#include <nlohmann/json.hpp>

namespace mailpush::smtp {

TraceOptions parse_trace_header(std::string_view value) {
    TraceOptions out;
    std::string compact;
    for (const char c : value)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact += c; // folded header lines
    const auto raw = common::base64_decode(compact);
    if (!raw) return out;
    const auto j = nlohmann::json::parse(*raw, nullptr, false);
    if (!j.is_object()) return out;
    auto text = [&](const char* key) {
        const auto it = j.find(key);
        if (it == j.end()) return std::string();
        if (it->is_string()) return it->get<std::string>();
        if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
        return std::string();
    };
    out.tag = text("TagName");
    if (out.tag.size() > 128 || !common::valid_utf8(out.tag)) out.tag.clear();
    out.open_trace = text("OpenTrace") == "1";
    out.link_trace = text("LinkTrace") == "1";
    return out;
}

} // namespace mailpush::smtp
