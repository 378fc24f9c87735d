// Where a message's HTML parts are (GMime): the content byte range of each text/html part that
// is not an attachment, its transfer encoding and charset label. Untrusted input; no I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::tracking::detail {

enum class TransferEncoding { seven_bit, eight_bit, binary, quoted_printable, base64 };

struct HtmlPart {
    std::size_t begin = 0, end = 0; // the content in the message (without the CRLF before a boundary)
    TransferEncoding encoding = TransferEncoding::seven_bit;
    std::string charset; // the Content-Type charset parameter as written, "" when absent
};

struct MimeScan {
    std::vector<HtmlPart> parts; // in message order, never overlapping
    std::string reason;          // not "": the message must stay untracked, and why
};

MimeScan find_html_parts(std::string_view message);

// g_mime_init, once per process (thread-safe).
void init_gmime();

} // namespace mailpush::tracking::detail
