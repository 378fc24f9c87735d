// HMAC over OpenSSL, shared by request signing (OpenAPI) and webhook signing (notify).
#pragma once

#include "mailpush/common/hex.hpp" // to_hex, used with the digests

#include <string>
#include <string_view>

namespace mailpush::common {

std::string hmac_sha256(std::string_view key, std::string_view data); // raw bytes
std::string hmac_sha1(std::string_view key, std::string_view data);   // raw bytes

} // namespace mailpush::common
