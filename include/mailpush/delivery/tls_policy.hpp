// Whether a destination must be reached over TLS, and what to do when a receiver offered
// STARTTLS but the handshake failed: retry the same host in plain text on a new connection (as
// Postfix does, RFC 7435 opportunistic TLS), unless the recipient domain requires TLS
// (`[delivery] require_tls_domains`). Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mailpush::delivery {

// `domain` is one of `require_tls_domains` (exact name, ASCII case-insensitive, a trailing dot
// ignored on either side).
bool tls_required(std::string_view domain, const std::vector<std::string>& require_tls_domains);

enum class AfterTlsFailure {
    retry_plain, // reconnect to the same host and deliver without STARTTLS
    give_up,     // this host failed: the next MX host, or the recorded 4xx
};

// `handshake_failed`: this connection's STARTTLS was accepted (220) and the TLS handshake
// failed. `already_plain`: this was already the plain-text retry.
AfterTlsFailure after_tls_failure(bool handshake_failed, bool already_plain, bool required);

} // namespace mailpush::delivery
