// Whether a submitted message's author headers (every From: and Sender: field) name only
// addresses the sender may use. Pure: the caller says which addresses are allowed.
// Handles untrusted input.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace mailpush::smtp {

enum class FromHeaderPolicy { account_domains, any };

enum class AuthorVerdict {
    ok,          // every address allowed, or no From:/Sender: at all (nothing claimed)
    malformed,   // a From:/Sender: value that is no address list, or a From: without an address
    not_allowed, // `address` is not one the sender may use
};

struct AuthorCheck {
    AuthorVerdict verdict = AuthorVerdict::ok;
    std::string address; // not_allowed: the first refused address
};

AuthorCheck check_author_headers(std::string_view message,
                                 const std::function<bool(std::string_view address)>& allowed);

} // namespace mailpush::smtp
