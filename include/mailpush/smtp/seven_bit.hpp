// Converting an 8-bit message for a receiver that does not offer 8BITMIME (RFC 6152 §3): each
// MIME leaf part with 8-bit bytes in its body and an identity encoding (none, 7bit, 8bit,
// binary) is quoted-printable encoded (RFC 2045 §6.7) and its Content-Transfer-Encoding says
// so; multipart bodies are walked part by part (message/rfc822 parts too), everything else is
// kept byte for byte. A message without MIME headers gets MIME-Version: 1.0, Content-Type:
// text/plain; charset=utf-8 and Content-Transfer-Encoding: quoted-printable. 8-bit bytes in
// header fields are left as they are (that needs SMTPUTF8). Pure.
#pragma once

#include <string>
#include <string_view>

namespace mailpush::smtp {

// True if any byte of `text` is >= 0x80 (or NUL).
bool has_eight_bit(std::string_view text) noexcept;

// Quoted-printable encoding of a body with CRLF line ends: lines of at most 76 characters
// (soft breaks "=\r\n"), trailing space and tab encoded, line ends kept as CRLF.
std::string quoted_printable(std::string_view body);

// The whole message (header, empty line, body; CRLF) in 7 bits as described above. A message
// without 8-bit body bytes comes back unchanged.
std::string to_seven_bit(std::string_view message);

} // namespace mailpush::smtp
