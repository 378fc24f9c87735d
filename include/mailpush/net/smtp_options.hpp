// The SMTP server's options: the [[listener]] tables, the [smtp] keys, and the values it needs
// from [server] and [limits] (host name, message size, verified senders), copied here by the
// configuration table. The SMTP server receives only this part of the configuration.
#pragma once

#include "mailpush/smtp/server_session.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace mailpush::net {

using std::chrono::milliseconds;

enum class TlsMode { none, starttls, implicit };

struct Listener {
    std::string name;
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;
    TlsMode tls = TlsMode::starttls;
    bool auth_requires_tls = false;
    bool inbound = true; // unauthenticated mail for the accounts' domains (docs/inbound.md)
};

struct SmtpOptions {
    std::vector<Listener> listeners;
    // Every session's limits; the per-listener TLS fields are set for each connection.
    smtp::SessionLimits session;
    milliseconds idle_timeout{300'000};
    milliseconds data_timeout{600'000};
    milliseconds session_timeout{3'600'000};
    unsigned max_connections = 20'000;
    unsigned max_connections_per_ip = 200;
    unsigned auth_failures_per_ip = 20;
    milliseconds auth_failure_window{600'000};
    unsigned auth_concurrent_per_ip = 4;       // password checks in flight per client IP
    unsigned auth_failures_per_address = 10;   // then the address pauses between checks
    milliseconds auth_address_window{900'000}; // the window of auth_failures_per_address
    milliseconds auth_failure_delay{1'000};    // upper bound of the random delay before 535
    bool require_verified_domain = true;       // send only from domains whose DNS records were verified
};

} // namespace mailpush::net
