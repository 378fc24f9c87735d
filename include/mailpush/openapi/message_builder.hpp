// Builds the RFC 5322 / MIME message for an API send (SingleSendMail, BatchSendMail) and fills
// template variables. Pure; inputs are already validated (no CR/LF in header values).
#pragma once

#include "mailpush/store/records.hpp"

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailpush::openapi {

struct MailContent {
    std::string from_address;
    std::string from_alias;
    std::vector<std::string> to; // the To: header lists these
    std::string subject;
    std::string text_body;
    std::string html_body;
    std::string reply_to; // "" for none
    std::string reply_to_alias;
    std::string tag;
    bool trace = false;                                       // open/click tracking requested
    std::vector<std::pair<std::string, std::string>> headers; // extra headers, validated
};

// `boundary` must not occur in the bodies (callers pass a random token).
std::string build_message(const MailContent& content, std::string_view boundary);

// RFC 2047 "B" encoded-words (UTF-8) if the text is not plain printable ASCII; else unchanged.
std::string encode_header_text(std::string_view text);

// Base64 in 76-character lines, CRLF-terminated (RFC 2045 §6.8).
std::string base64_lines(std::string_view raw);

// The longest {name} a template may use.
inline constexpr std::size_t kMaxVariableName = 64;

// Replaces {EAddr} {UserName} {NickName} {Gender} {Birthday} {Mobile} with the row's values,
// and {name} with `extra`'s value for name (SendTestByTemplate's TemplateParams).
std::string render_template(std::string_view text, const store::ReceiverRow& row,
                            const std::map<std::string, std::string, std::less<>>& extra = {});

// `text` with every CR and LF made a space: a rendered subject stays one header line.
std::string one_line(std::string text);

// True if `s` is safe inside a header field: no CR, LF or NUL.
bool header_safe(std::string_view s);

} // namespace mailpush::openapi
