// SMTP password policy (SPEC §6) and slow salted hashing (PBKDF2-HMAC-SHA256, OpenSSL).
// Handles untrusted input (passwords from the admin API and from AUTH).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mailpush::auth {

// nullopt if `password` satisfies the policy, otherwise the reason in one sentence.
// `previous_hash` (may be empty) rejects reuse of the password it was made from.
std::optional<std::string> check_password_policy(std::string_view password, std::string_view previous_hash);

// "pbkdf2-sha256$ITER$SALT_B64$HASH_B64"
std::string hash_password(std::string_view password, unsigned iterations);
bool verify_password(std::string_view password, std::string_view stored_hash);

} // namespace mailpush::auth
