// Hex and HMAC over OpenSSL, shared by request signing (OpenAPI) and webhook signing (notify).
#pragma once

#include <string>
#include <string_view>

namespace mailpush::common {

std::string to_hex(std::string_view bytes);                           // lower-case
std::string hmac_sha256(std::string_view key, std::string_view data); // raw bytes
std::string hmac_sha1(std::string_view key, std::string_view data);   // raw bytes

} // namespace mailpush::common
