#include "mailpush/openapi/message_builder.hpp"

#include "mailpush/common/base64.hpp"

#include <nlohmann/json.hpp>

namespace mailpush::openapi {
namespace {
bool plain_ascii(std::string_view s) {
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u > 0x7e) return false;
    }
    return true;
}

// `"alias" <address>` with the alias quoted or encoded.
std::string mailbox(std::string_view alias, std::string_view address) {
    if (alias.empty()) return std::string(address);
    if (plain_ascii(alias)) {
        std::string quoted = "\"";
        for (const char c : alias) {
            if (c == '"' || c == '\\') quoted += '\\';
            quoted += c;
        }
        return quoted + "\" <" + std::string(address) + ">";
    }
    return encode_header_text(alias) + " <" + std::string(address) + ">";
}
} // namespace

bool header_safe(std::string_view s) {
    return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

std::string base64_lines(std::string_view raw) {
    const std::string encoded = common::base64_encode(raw);
    std::string out;
    out.reserve(encoded.size() + encoded.size() / 76 * 2 + 2);
    for (std::size_t i = 0; i < encoded.size(); i += 76)
        out += encoded.substr(i, 76) + "\r\n";
    return out;
}

std::string encode_header_text(std::string_view text) {
    if (plain_ascii(text) && text.size() <= 900) return std::string(text);
    // Split on UTF-8 character boundaries so that each encoded-word stays under 75 characters.
    std::string out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = std::min(text.size(), start + 45);
        while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
            --end;
        if (end == start) end = std::min(text.size(), start + 45); // not UTF-8: split anyway
        out += (out.empty() ? "" : "\r\n ") + std::string("=?UTF-8?B?") +
               common::base64_encode(text.substr(start, end - start)) + "?=";
        start = end;
    }
    return out;
}

std::string build_message(const MailContent& c, std::string_view boundary) {
    std::string m;
    m += "From: " + mailbox(c.from_alias, c.from_address) + "\r\n";
    std::string to;
    for (const auto& r : c.to)
        to += (to.empty() ? "" : ",\r\n ") + r;
    m += "To: " + to + "\r\n";
    if (!c.reply_to.empty()) m += "Reply-To: " + mailbox(c.reply_to_alias, c.reply_to) + "\r\n";
    m += "Subject: " + encode_header_text(c.subject) + "\r\n";
    for (const auto& [name, value] : c.headers)
        m += name + ": " + value + "\r\n";
    if (!c.tag.empty() || c.trace) {
        nlohmann::json trace = nlohmann::json::object();
        if (!c.tag.empty()) trace["TagName"] = c.tag;
        if (c.trace) {
            trace["OpenTrace"] = "1";
            trace["LinkTrace"] = "1";
        }
        m += "X-AliDM-Trace: " +
             common::base64_encode(trace.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) +
             "\r\n";
    }
    m += "MIME-Version: 1.0\r\n";
    const bool both = !c.text_body.empty() && !c.html_body.empty();
    auto part = [](std::string_view type, std::string_view body) {
        return "Content-Type: " + std::string(type) +
               "; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64_lines(body);
    };
    if (both) {
        const std::string b(boundary);
        m += "Content-Type: multipart/alternative; boundary=\"" + b + "\"\r\n\r\n";
        m += "--" + b + "\r\n" + part("text/plain", c.text_body);
        m += "--" + b + "\r\n" + part("text/html", c.html_body);
        m += "--" + b + "--\r\n";
    } else if (!c.html_body.empty()) {
        m += part("text/html", c.html_body);
    } else {
        m += part("text/plain", c.text_body);
    }
    return m;
}

std::string one_line(std::string text) {
    for (auto& c : text)
        if (c == '\r' || c == '\n') c = ' ';
    return text;
}

std::string render_template(std::string_view text, const store::ReceiverRow& row,
                            const std::map<std::string, std::string, std::less<>>& extra) {
    const std::pair<std::string_view, const std::string*> vars[] = {
        {"EAddr", &row.email},   {"UserName", &row.user_name}, {"NickName", &row.nick_name},
        {"Gender", &row.gender}, {"Birthday", &row.birthday},  {"Mobile", &row.mobile}};
    auto lookup = [&](std::string_view name) -> const std::string* {
        for (const auto& [n, value] : vars)
            if (n == name) return value;
        const auto it = extra.find(name);
        return it == extra.end() ? nullptr : &it->second;
    };
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        // A variable name is short: look no further, so a body full of '{' stays linear.
        const auto name = text[i] == '{' ? text.substr(i + 1, kMaxVariableName + 1) : std::string_view{};
        if (const auto close = name.find('}'); close != std::string_view::npos)
            if (const auto* value = lookup(name.substr(0, close))) {
                out += *value;
                i += close + 2;
                continue;
            }
        out += text[i++];
    }
    return out;
}

} // namespace mailpush::openapi
