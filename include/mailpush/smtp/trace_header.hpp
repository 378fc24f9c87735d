// The X-AliDM-Trace control header: base64 of a JSON object with TagName, OpenTrace and
// LinkTrace, read at commit (tracking opt-in) and at delivery (the tag). Parses what a sender
// wrote (untrusted): anything unreadable yields no tag and no tracking. Pure.
#pragma once

#include <string>
#include <string_view>

namespace mailpush::smtp {

struct TraceOptions {
    std::string tag; // "" unless a UTF-8 TagName of at most 128 bytes
    bool open_trace = false;
    bool link_trace = false;
};

// `value`: the header's value, folded or not.
TraceOptions parse_trace_header(std::string_view value);

} // namespace mailpush::smtp
