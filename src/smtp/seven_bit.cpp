#include "mailpush/smtp/seven_bit.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

namespace mailpush::smtp {
namespace {

bool iequal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// The fields of a header section ("Name: value\r\n" with continuation lines), each with its CRLF.
std::vector<std::string_view> fields_of(std::string_view header) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start < header.size()) {
        std::size_t end = start;
        for (;;) {
            const auto eol = header.find("\r\n", end);
            end = eol == std::string_view::npos ? header.size() : eol + 2;
            if (end >= header.size() || (header[end] != ' ' && header[end] != '\t')) break;
        }
        out.push_back(header.substr(start, end - start));
        start = end;
    }
    return out;
}

std::string_view field_name(std::string_view field) {
    const auto colon = field.find(':');
    return colon == std::string_view::npos ? std::string_view{} : trim(field.substr(0, colon));
}

// The unfolded value of the first field called `name`, or nullopt.
std::optional<std::string> header_value(std::string_view header, std::string_view name) {
    for (const auto f : fields_of(header)) {
        if (!iequal(field_name(f), name)) continue;
        std::string v;
        for (const char c : f.substr(f.find(':') + 1))
            if (c != '\r' && c != '\n') v += c;
        return std::string(trim(v));
    }
    return std::nullopt;
}

std::string without_field(std::string_view header, std::string_view name) {
    std::string out;
    for (const auto f : fields_of(header))
        if (!iequal(field_name(f), name)) out += f;
    return out;
}

// "multipart/mixed; boundary=\"b1\"" -> "multipart/mixed" and the boundary.
std::string media_type(const std::string& content_type) {
    return lower(trim(std::string_view(content_type).substr(0, content_type.find(';'))));
}

std::string boundary_of(const std::string& content_type) {
    const auto l = lower(content_type);
    std::size_t pos = 0;
    while ((pos = l.find("boundary", pos)) != std::string::npos) {
        std::size_t p = pos + 8;
        while (p < l.size() && (l[p] == ' ' || l[p] == '\t'))
            ++p;
        if (p >= l.size() || l[p] != '=' ||
            (pos > 0 && std::isalnum(static_cast<unsigned char>(l[pos - 1])))) {
            pos = p;
            continue;
        }
        ++p;
        while (p < l.size() && (l[p] == ' ' || l[p] == '\t'))
            ++p;
        if (p < content_type.size() && content_type[p] == '"') {
            const auto close = content_type.find('"', p + 1);
            return content_type.substr(p + 1, close == std::string::npos ? std::string::npos : close - p - 1);
        }
        const auto end = content_type.find_first_of("; \t", p);
        return content_type.substr(p, end == std::string::npos ? std::string::npos : end - p);
    }
    return "";
}

std::string convert_entity(std::string_view entity, bool top_level);

std::string convert_multipart(std::string_view body, const std::string& boundary) {
    const std::string delim = "--" + boundary;
    std::vector<std::size_t> starts;
    for (std::size_t pos = 0; (pos = body.find(delim, pos)) != std::string_view::npos; pos += delim.size())
        if (pos == 0 || (pos >= 2 && body.substr(pos - 2, 2) == "\r\n")) starts.push_back(pos);
    if (starts.empty()) return std::string(body);
    std::string out(body.substr(0, starts[0]));
    for (std::size_t i = 0; i < starts.size(); ++i) {
        const auto eol = body.find("\r\n", starts[i]);
        const auto line_end = eol == std::string_view::npos ? body.size() : eol + 2;
        out += body.substr(starts[i], line_end - starts[i]);
        if (body.substr(starts[i] + delim.size(), 2) == "--") { // the close delimiter: the epilogue follows
            out += body.substr(line_end);
            return out;
        }
        const auto part_end = i + 1 < starts.size() ? starts[i + 1] - 2 : body.size();
        if (part_end < line_end) continue; // an empty part: the next delimiter follows at once
        out += convert_entity(body.substr(line_end, part_end - line_end), false);
        if (i + 1 < starts.size()) out += "\r\n";
    }
    return out;
}

std::string convert_entity(std::string_view entity, bool top_level) {
    std::string_view header, body;
    if (entity.starts_with("\r\n")) {
        body = entity.substr(2);
    } else {
        const auto sep = entity.find("\r\n\r\n");
        if (sep == std::string_view::npos) return std::string(entity); // no body
        header = entity.substr(0, sep + 2);
        body = entity.substr(sep + 4);
    }
    if (!has_eight_bit(body)) return std::string(entity);
    const auto type = header_value(header, "Content-Type");
    const auto media = type ? media_type(*type) : std::string("text/plain");
    if (media.starts_with("multipart/")) {
        if (const auto b = boundary_of(*type); !b.empty())
            return std::string(header) + "\r\n" + convert_multipart(body, b);
    }
    if (media == "message/rfc822" || media == "message/global")
        return std::string(header) + "\r\n" + convert_entity(body, false);
    const auto cte = lower(header_value(header, "Content-Transfer-Encoding").value_or("7bit"));
    if (cte != "7bit" && cte != "8bit" && cte != "binary") return std::string(entity); // already encoded
    std::string out = without_field(header, "Content-Transfer-Encoding");
    if (top_level && !type && !header_value(header, "MIME-Version")) {
        out += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n";
    }
    out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
    out += quoted_printable(body);
    return out;
}

void append_line(std::string& out, std::string_view line) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::size_t column = 0;
    auto put = [&](std::string_view piece) {
        if (column + piece.size() > 75) { // room for the soft break's "="
            out += "=\r\n";
            column = 0;
        }
        out += piece;
        column += piece.size();
    };
    for (std::size_t i = 0; i < line.size(); ++i) {
        const auto c = static_cast<unsigned char>(line[i]);
        const bool last = i + 1 == line.size();
        // A '-' never starts a line (a fold could otherwise make "--boundary" of an enclosing part).
        const bool dash_may_start = c == '-' && column + 1 > 75;
        if (c == '-' && (column == 0 || dash_may_start)) {
            put("=2D");
        } else if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last)) {
            const char one[1] = {static_cast<char>(c)};
            put(std::string_view(one, 1));
        } else {
            const char three[3] = {'=', kHex[c >> 4], kHex[c & 15]};
            put(std::string_view(three, 3));
        }
    }
}

} // namespace

bool has_eight_bit(std::string_view text) noexcept {
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u >= 0x80 || u == 0;
    });
}

std::string quoted_printable(std::string_view body) {
    std::string out;
    out.reserve(body.size() + body.size() / 4);
    std::size_t start = 0;
    for (;;) {
        const auto eol = body.find("\r\n", start);
        append_line(out,
                    body.substr(start, eol == std::string_view::npos ? std::string_view::npos : eol - start));
        if (eol == std::string_view::npos) break;
        out += "\r\n";
        start = eol + 2;
    }
    return out;
}

std::string to_seven_bit(std::string_view message) {
    return convert_entity(message, true);
}

} // namespace mailpush::smtp
