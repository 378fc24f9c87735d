// One stream of security events (admin 401s, bad signatures, replayed nonces, AUTH throttling,
// key, password and IP-protection changes): `security_event` hands each event to the sink the
// application installed (mailpushd logs them as "security event=… ip=… account=…" lines).
// Callers pass what happened and who, never a secret: no passwords, tokens, signatures or keys.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace mailpush::common {

struct SecurityEvent {
    std::string_view kind;    // one word: admin_unauthorized, bad_signature, nonce_replay, ...
    std::string_view ip;      // the client's address; "" when there is no client (a CLI change)
    std::string_view account; // the account concerned; "" when unknown
    std::string_view detail;  // short text without secrets
};

using SecuritySink = std::function<void(const SecurityEvent&)>;

// Installed once at start, before any listener runs; without a sink events are dropped.
void set_security_sink(SecuritySink sink);
void security_event(const SecurityEvent& event);

} // namespace mailpush::common
