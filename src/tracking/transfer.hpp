// Content-Transfer-Encoding of a rewritten part: decoding through GMime's filters, and the two
// encoders the rewritten text is written back with (RFC 2045 §6.7 and §6.8). Pure.
#pragma once

#include "mime_parts.hpp"

#include <string>
#include <string_view>

namespace mailpush::tracking::detail {

// 7bit, 8bit and binary content is returned as it is.
std::string decode_transfer(std::string_view raw, TransferEncoding encoding);

// Quoted-printable from the start of a line: "\r\n" stays a hard line break, lines are at most
// 76 characters (soft breaks "=\r\n"), whitespace before a line end or at the very end is
// encoded, and so is a '-' that begins a line (no boundary can be formed). Returns true if the output ends in
// the middle of a line.
bool encode_quoted_printable(std::string_view bytes, std::string& out);

// Base64 in lines of 76 characters separated by CRLF (no CRLF after the last).
void encode_base64_lines(std::string_view bytes, std::string& out);

} // namespace mailpush::tracking::detail
