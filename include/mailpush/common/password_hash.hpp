// Slow salted password hashing (PBKDF2-HMAC-SHA256, OpenSSL). Handles untrusted input
// (passwords from the admin API and from AUTH).
#pragma once

#include <string>
#include <string_view>

namespace mailpush::common {

// "pbkdf2-sha256$ITER$SALT_B64$HASH_B64"
std::string hash_password(std::string_view password, unsigned iterations);
bool verify_password(std::string_view password, std::string_view stored_hash);

} // namespace mailpush::common
