// Slow salted password hashing. New hashes are Argon2id (libargon2, PHC string format);
// PBKDF2-HMAC-SHA256 hashes of earlier versions still verify and report that they need an
// upgrade (docs/adr/0005-password-hashing.md). Handles untrusted input (passwords from the
// admin API and from AUTH).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mailpush::common {

// The cost of new hashes. The defaults are OWASP's Argon2id figure (m = 19 MiB, t = 2, p = 1).
struct PasswordCost {
    std::uint32_t memory_kib = 19 * 1024;
    std::uint32_t iterations = 2;
};

// "$argon2id$v=19$m=19456,t=2,p=1$SALT$HASH"
std::string hash_password(std::string_view password, const PasswordCost& cost);

// True when `password` matches `stored_hash` (Argon2id or the legacy PBKDF2 format); false for
// anything unparsable. Constant time in the comparison.
bool verify_password(std::string_view password, std::string_view stored_hash);

// True when `stored_hash` was not made by hash_password with `cost` (legacy PBKDF2, other
// Argon2 parameters): the next successful login should store a fresh hash.
bool needs_rehash(std::string_view stored_hash, const PasswordCost& cost);

// The legacy format, "pbkdf2-sha256$ITER$SALT_B64$HASH_B64": made only by tests and the
// benchmark now, to prove old hashes keep working.
std::string hash_password_pbkdf2(std::string_view password, unsigned iterations);

} // namespace mailpush::common
