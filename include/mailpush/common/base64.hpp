// Strict base64 (RFC 4648 §4) for SASL and HTTP payloads.
// Handles untrusted input: anything not canonical base64 is rejected, never "repaired".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mailpush::common {

std::string base64_encode(std::string_view raw);

// Returns nullopt for characters outside the alphabet, a length that is not a multiple of 4,
// or padding anywhere but the end. The empty string decodes to the empty string.
std::optional<std::string> base64_decode(std::string_view encoded);

// The URL-safe alphabet (RFC 4648 §5) without padding, for tokens in links: `base64` (standard
// alphabet) rewritten, and back to the padded standard text, nullopt unless it is canonical.
std::string base64_to_url(std::string base64);
std::optional<std::string> base64_from_url(std::string_view token);

} // namespace mailpush::common
