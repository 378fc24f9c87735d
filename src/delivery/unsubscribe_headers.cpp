#include "mailpush/delivery/unsubscribe_headers.hpp"

#include "mailpush/smtp/message_headers.hpp"

namespace mailpush::delivery {

std::string apply_unsubscribe_headers(std::string body, std::string_view lines) {
    body = smtp::remove_header(std::move(body), "X-AliDM-Settings");
    if (lines.empty()) return body;
    body = smtp::remove_header(std::move(body), "List-Unsubscribe");
    body = smtp::remove_header(std::move(body), "List-Unsubscribe-Post");
    return std::string(lines) + body;
}

} // namespace mailpush::delivery
