// The rules a sender address's SMTP password must meet; the store checks them before it keeps a
// new password. Handles untrusted input (passwords from the admin API and the OpenAPI).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mailpush::store {

// nullopt if `password` satisfies the policy, otherwise the reason in one sentence.
// `previous_hash` (may be empty) rejects reuse of the password it was made from.
std::optional<std::string> check_password_policy(std::string_view password, std::string_view previous_hash);

} // namespace mailpush::store
