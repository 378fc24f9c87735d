// SASL PLAIN (RFC 4616) and LOGIN decoding. Pure; handles untrusted input.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mailpush::smtp {

struct Credentials {
    std::string username;
    std::string password;
};

enum class SaslError { bad_base64, malformed };

struct SaslResult {
    std::optional<Credentials> credentials;
    SaslError error = SaslError::malformed;
};

// base64("authzid\0authcid\0password"); authzid must be empty or equal to authcid.
SaslResult decode_plain(std::string_view base64);

// One base64 line of the LOGIN exchange (username or password); no NULs allowed.
std::optional<std::string> decode_login_field(std::string_view base64, bool& bad_base64);

} // namespace mailpush::smtp
