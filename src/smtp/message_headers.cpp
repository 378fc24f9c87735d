#include "mailpush/smtp/message_headers.hpp"

#include "mailpush/common/strings.hpp"

namespace mailpush::smtp {
std::size_t header_section_size(std::string_view m) {
    if (m.starts_with("\r\n")) return 0;
    const auto end = m.find("\r\n\r\n");
    return end == std::string_view::npos ? m.size() : end + 2;
}

namespace {

// Where the value of `line` starts when the line is the field `name`, or npos. Whitespace between
// the name and the colon is the obsolete syntax RFC 5322 §4.5.3 still asks readers to accept,
// so `From : x` is a From field here as it is for the mail clients that display it.
std::size_t field_value_start(std::string_view line, std::string_view name) {
    if (line.size() <= name.size() || !common::istarts_with(line, name)) return std::string_view::npos;
    auto i = name.size();
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
        ++i;
    return i < line.size() && line[i] == ':' ? i + 1 : std::string_view::npos;
}
} // namespace

std::vector<std::string> find_headers(std::string_view message, std::string_view name) {
    std::vector<std::string> values;
    const auto headers = message.substr(0, header_section_size(message));
    std::size_t pos = 0;
    while (pos < headers.size()) {
        auto eol = headers.find("\r\n", pos);
        if (eol == std::string_view::npos) eol = headers.size();
        const auto line = headers.substr(pos, eol - pos);
        auto next = eol + 2;
        if (const auto start = field_value_start(line, name); start != std::string_view::npos) {
            std::string value(common::trim(line.substr(start)));
            while (next < headers.size() && (headers[next] == ' ' || headers[next] == '\t')) { // unfold
                auto e = headers.find("\r\n", next);
                if (e == std::string_view::npos) e = headers.size();
                value += ' ';
                value += common::trim(headers.substr(next, e - next));
                next = e + 2;
            }
            values.push_back(std::move(value));
        }
        pos = next;
    }
    return values;
}

std::optional<std::string> find_header(std::string_view message, std::string_view name) {
    auto values = find_headers(message, name);
    if (values.empty()) return std::nullopt;
    return std::move(values.front());
}

std::string remove_header(std::string message, std::string_view name) {
    std::size_t pos = 0;
    while (pos < header_section_size(message)) {
        auto eol = message.find("\r\n", pos);
        if (eol == std::string::npos) eol = message.size();
        const auto line = std::string_view(message).substr(pos, eol - pos);
        if (field_value_start(line, name) != std::string_view::npos) {
            auto end = eol;
            while (end + 2 < message.size() && (message[end + 2] == ' ' || message[end + 2] == '\t')) {
                end = message.find("\r\n", end + 2);
                if (end == std::string::npos) end = message.size();
            }
            message.erase(pos, std::min(message.size(), end + 2) - pos);
            continue; // the next header now starts at pos
        }
        pos = eol + 2;
    }
    return message;
}

std::string trace_prefix(std::string_view message, const TraceInfo& info) {
    std::string out = "Received: from " + info.helo + " ([" + info.peer_ip + "])\r\n\tby " + info.hostname +
                      " (mailpush) with " + info.protocol + " id " + info.envid + ";\r\n\t" + info.date +
                      "\r\n";
    if (!find_header(message, "Message-ID")) out += "Message-ID: " + info.message_id + "\r\n";
    if (!find_header(message, "Date")) out += "Date: " + info.date + "\r\n";
    // A message with no header section at all gets the blank line that separates the body.
    if (header_section_size(message) == 0 && !message.starts_with("\r\n")) out += "\r\n";
    return out;
}

std::string add_trace_headers(std::string_view message, const TraceInfo& info) {
    std::string out = trace_prefix(message, info);
    out.append(message);
    return out;
}

} // namespace mailpush::smtp
