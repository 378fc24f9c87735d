// What analyse keeps of one rewritten HTML part, so that render only splices: the text between
// the insertion points in the part's own charset (quoted-printable already encoded), and what
// goes between them. Private to src/tracking.
#pragma once

#include "mime_parts.hpp"

#include "mailpush/tracking/rewrite.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace mailpush::tracking {

struct TrackedMessage::Part {
    struct Insert {
        std::uint32_t link = 0; // 0: the open pixel; n: the redirect of link n
        char quote = 0;         // the attribute's quote character, kept around the new URL
    };
    struct Lines {
        std::size_t first = 0, last = 0; // lengths of the first and the last line (octets, no CRLF)
        bool newline = false;
    };
    detail::TransferEncoding encoding = detail::TransferEncoding::seven_bit;
    std::vector<std::string> segments; // inserts.size() + 1 pieces of the part's content
    std::vector<Insert> inserts;
    std::vector<Lines> lines;   // 7bit, 8bit and binary: per segment, to keep lines under 998 octets
    bool trailing_crlf = false; // base64: the content ended with a line break
};

} // namespace mailpush::tracking
