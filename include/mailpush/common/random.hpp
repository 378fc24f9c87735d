// Random values from the OpenSSL CSPRNG (keys, nonces, salts, tokens, receipts).
#pragma once

#include <cstddef>
#include <string>

namespace mailpush::common {

// `n` random bytes. Throws std::runtime_error if the CSPRNG fails.
std::string random_bytes(std::size_t n);
// `n` random characters of [A-Za-z0-9].
std::string random_token(std::size_t n);

} // namespace mailpush::common
