// TrackedMessage::render: one recipient's copy, spliced from the pieces analyse kept. Only the
// inserted URLs differ per recipient; base64 parts are re-encoded whole (their 3-byte groups
// shift), quoted-printable segments were encoded once (each starts on a fresh line).
#include "tracked_part.hpp"
#include "transfer.hpp"

#include <cstdio>

namespace mailpush::tracking {
namespace {

using detail::TransferEncoding;
using Part = TrackedMessage::Part;

constexpr std::size_t kMaxLine = 998; // RFC 5322 §2.1.1, without the CRLF

// The base URL as ASCII that needs no quoting in HTML and reads the same in every charset
// analyse accepted: other bytes percent-encoded.
std::string safe_base(std::string_view base_url) {
    constexpr std::string_view kKept = "-._:/?=@%+,;!$()*";
    std::string out;
    for (const char c : base_url) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= '0' && u <= '9') || (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
            kKept.find(c) != std::string_view::npos) {
            out.push_back(c);
        } else {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", u);
            out += hex;
        }
    }
    return out;
}

std::string insert_text(const Part::Insert& insert, const std::vector<std::string>& urls) {
    if (insert.link == 0)
        return "<img src=\"" + urls[0] +
               "\" width=\"1\" height=\"1\" alt=\"\" border=\"0\" "
               "style=\"width:1px;height:1px;border:0\">";
    std::string text;
    if (insert.quote) text.push_back(insert.quote);
    text += urls[insert.link];
    if (insert.quote) text.push_back(insert.quote);
    return text;
}

// 7bit, 8bit, binary: the text as it is; an insert that would make its line longer than 998
// octets starts a line, and the text after it goes on the next line when the two are still too
// long (HTML allows a line break beside an attribute value or a tag; " " before a leading '-').
void render_plain(const Part& part, const std::vector<std::string>& urls, std::string& out) {
    std::size_t column = 0;
    for (std::size_t i = 0; i < part.segments.size(); ++i) {
        out += part.segments[i];
        const auto& lines = part.lines[i];
        column = lines.newline ? lines.last : column + lines.first;
        if (i == part.inserts.size()) break;
        const std::string text = insert_text(part.inserts[i], urls);
        const std::size_t rest = part.lines[i + 1].first;
        if (column + text.size() + rest > kMaxLine) {
            if (column > 0) out += "\r\n";
            out += text;
            column = text.size();
            if (column + rest > kMaxLine) {
                // A line must not begin with '-' (it could read as a MIME boundary): a space in
                // front, where HTML takes a line break and a space alike.
                const auto& next = part.segments[i + 1];
                const bool dash = !next.empty() && next.front() == '-';
                out += dash ? "\r\n " : "\r\n";
                column = dash ? 1 : 0;
            }
        } else {
            out += text;
            column += text.size();
        }
    }
}

void render_quoted_printable(const Part& part, const std::vector<std::string>& urls, std::string& out) {
    for (std::size_t i = 0; i < part.segments.size(); ++i) {
        out += part.segments[i];
        if (i == part.inserts.size()) break;
        const bool mid_line = detail::encode_quoted_printable(insert_text(part.inserts[i], urls), out);
        const bool last = i + 1 == part.inserts.size() && part.segments.back().empty();
        if (mid_line && !last) out += "=\r\n";
    }
}

void render_base64(const Part& part, const std::vector<std::string>& urls, std::string& out) {
    std::string decoded;
    for (std::size_t i = 0; i < part.segments.size(); ++i) {
        decoded += part.segments[i];
        if (i < part.inserts.size()) decoded += insert_text(part.inserts[i], urls);
    }
    detail::encode_base64_lines(decoded, out);
    if (part.trailing_crlf) out += "\r\n";
}

} // namespace

std::string TrackedMessage::render(std::string_view base_url,
                                   const std::function<std::string(std::uint32_t)>& token) const {
    if (!tracked_) return message_;
    const std::string base = safe_base(base_url);
    std::vector<std::string> urls(links_.size() + 1);
    if (open_) urls[0] = base + "/o/" + safe_base(token(0));
    for (std::uint32_t n = 1; n <= links_.size(); ++n)
        urls[n] = base + "/c/" + safe_base(token(n));
    std::string out;
    out.reserve(message_.size() + message_.size() / 8 + 256 * urls.size());
    for (const auto& piece : pieces_) {
        if (piece.part < 0) {
            out.append(message_, piece.begin, piece.end - piece.begin);
            continue;
        }
        const Part& part = parts_[static_cast<std::size_t>(piece.part)];
        if (part.encoding == TransferEncoding::quoted_printable)
            render_quoted_printable(part, urls, out);
        else if (part.encoding == TransferEncoding::base64)
            render_base64(part, urls, out);
        else
            render_plain(part, urls, out);
    }
    return out;
}

} // namespace mailpush::tracking
