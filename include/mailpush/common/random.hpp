// Random values from the OpenSSL CSPRNG: keys, salts, nonces, ids and tokens. Each throws
// std::runtime_error if the generator fails (it never returns predictable bytes).
#pragma once

#include <cstddef>
#include <string>

namespace mailpush::common {

// `n` random bytes.
std::string random_bytes(std::size_t n);

// `n` random characters of [A-Za-z0-9], without modulo bias.
std::string random_token(std::size_t n);

// `n` random bytes as 2n lower-case hex digits.
std::string random_hex(std::size_t n);

} // namespace mailpush::common
