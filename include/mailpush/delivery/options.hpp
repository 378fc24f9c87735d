// The delivery engine's options: the [delivery] keys, the [[route]] table and the server
// values the engine needs. The engine receives only this part of the configuration.
#pragma once

#include "mailpush/delivery/retry_policy.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace mailpush::delivery {

using std::chrono::milliseconds;

struct Route {
    std::string domain; // "*" or a recipient domain
    std::string to;     // "mx", "smtp://host:port", "capture:DIR" or "hold"
};

struct EngineOptions {
    // from [server]
    std::string hostname = "localhost"; // EHLO name of outbound sessions
    std::string region = "cn-hangzhou";
    // from [dns]
    std::vector<std::string> dns_servers;
    // [delivery]
    std::uint16_t remote_port = 25;
    milliseconds retry_initial{60'000};
    milliseconds retry_max{3'600'000};
    milliseconds max_lifetime{3 * 86'400'000LL};
    unsigned max_deliveries = 200;         // delivery attempts in flight, in total
    unsigned max_per_destination = 20;     // ... and per destination (route target or MX domain)
    unsigned max_rate_per_destination = 0; // attempts started per second per destination; 0 = no limit
    milliseconds connect_timeout{30'000};
    milliseconds command_timeout{300'000};         // RFC 5321 §4.5.3.2: 5 minutes for most replies
    unsigned invalid_address_threshold = 2;        // hard bounces (SmtpNxBox) before the invalid library
    int event_utc_offset_minutes = 480;            // event times in this offset (the hosted service: +08:00)
    milliseconds log_retention{30 * 86'400'000LL}; // finished messages' delivery details are kept this long
    bool allow_private_mx = false;                 // MX answers may be non-global addresses (labs and tests)
    std::vector<std::string> require_tls_domains;  // recipient domains delivered only over verified TLS
    std::string tls_ca_file;                       // CAs trusted for them besides the system's
    // [[route]]
    std::vector<Route> routes;

    RetryPolicy retry_policy() const { return {retry_initial, retry_max, max_lifetime}; }
};

} // namespace mailpush::delivery
