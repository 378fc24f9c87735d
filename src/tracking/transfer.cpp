// Transfer decoding is GMime's (g_mime_encoding_*, the filters its data wrappers use); the
// encoders here write CRLF line ends and the line lengths RFC 2045 asks for.
#include "transfer.hpp"

#include "mailpush/common/base64.hpp"

#include <gmime/gmime.h>

namespace mailpush::tracking::detail {

std::string decode_transfer(std::string_view raw, TransferEncoding encoding) {
    GMimeContentEncoding kind = GMIME_CONTENT_ENCODING_DEFAULT;
    if (encoding == TransferEncoding::quoted_printable) kind = GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
    if (encoding == TransferEncoding::base64) kind = GMIME_CONTENT_ENCODING_BASE64;
    if (kind == GMIME_CONTENT_ENCODING_DEFAULT) return std::string(raw);
    GMimeEncoding state;
    g_mime_encoding_init_decode(&state, kind);
    std::string out(g_mime_encoding_outlen(&state, raw.size()) + 16, '\0');
    const auto* in = reinterpret_cast<const char*>(raw.data());
    std::size_t n = g_mime_encoding_step(&state, in, raw.size(), out.data());
    n += g_mime_encoding_flush(&state, in, 0, out.data() + n);
    out.resize(n);
    return out;
}

namespace {

constexpr std::size_t kQpLine = 75; // characters before the '=' of a soft break
constexpr char kHex[] = "0123456789ABCDEF";

bool literal_in_qp(unsigned char c) {
    return c >= 33 && c <= 126 && c != '=';
}

} // namespace

bool encode_quoted_printable(std::string_view bytes, std::string& out) {
    std::size_t column = 0;
    char escaped[3] = {'=', 0, 0};
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') {
            out += "\r\n";
            column = 0;
            ++i;
            continue;
        }
        const bool at_line_end =
            i + 1 == bytes.size() || (bytes[i + 1] == '\r' && i + 2 < bytes.size() && bytes[i + 2] == '\n');
        const bool blank = c == ' ' || c == '\t';
        std::string_view piece;
        // A '-' never starts a line: re-folding could otherwise make one read as a MIME boundary.
        const bool dash_at_line_start = c == '-' && column == 0;
        if ((literal_in_qp(c) && !dash_at_line_start) || (blank && !at_line_end)) {
            piece = std::string_view(bytes.data() + i, 1);
        } else {
            escaped[1] = kHex[c >> 4];
            escaped[2] = kHex[c & 0xf];
            piece = std::string_view(escaped, 3);
        }
        if (column + piece.size() > kQpLine) {
            out += "=\r\n";
            column = 0;
            if (c == '-') piece = "=2D";
        }
        out += piece;
        column += piece.size();
    }
    return column > 0;
}

void encode_base64_lines(std::string_view bytes, std::string& out) {
    constexpr std::size_t kLine = 76;
    const std::string text = common::base64_encode(bytes);
    out.reserve(out.size() + text.size() + text.size() / kLine * 2 + 2);
    for (std::size_t at = 0; at < text.size(); at += kLine) {
        if (at > 0) out += "\r\n";
        out.append(text, at, kLine);
    }
}

} // namespace mailpush::tracking::detail
