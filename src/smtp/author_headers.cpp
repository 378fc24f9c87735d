#include "mailpush/smtp/author_headers.hpp"

#include "mailpush/smtp/address_list.hpp"
#include "mailpush/smtp/message_headers.hpp"

#include <array>

namespace mailpush::smtp {

AuthorCheck check_author_headers(std::string_view message,
                                 const std::function<bool(std::string_view address)>& allowed) {
    static constexpr std::array<std::string_view, 2> kAuthorFields{"From", "Sender"};
    for (const auto field : kAuthorFields) {
        for (const auto& value : find_headers(message, field)) {
            const auto addresses = parse_address_list(value);
            if (!addresses || addresses->empty()) return {AuthorVerdict::malformed, {}};
            for (const auto& address : *addresses)
                if (!allowed(address)) return {AuthorVerdict::not_allowed, address};
        }
    }
    return {};
}

} // namespace mailpush::smtp
