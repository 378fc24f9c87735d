// The delivery engine's options: the [delivery] keys, the [[route]] table and the server
// values the engine needs. The engine receives only this part of the configuration.
#pragma once

#include "mailpush/delivery/retry_policy.hpp"
#include "mailpush/delivery/tracking_options.hpp"

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

// A [[destination]] table: the recipients of every domain it matches share its limits
// (docs/delivery.md). 0 in a limit means the [delivery] default for unmatched destinations.
struct DestinationRule {
    std::string name;
    std::vector<std::string> match; // "gmail.com", "*.qq.com", "mx:*.google.com"
    unsigned max_connections = 0;   // attempts (connections) in flight
    unsigned max_messages_per_connection = 0;
    std::int64_t max_per_second_milli = 0; // attempt starts per 1000 s, i.e. per second x 1000
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
    // After a failed write of results (a full disk): when it is tried again. Not a config key.
    milliseconds log_write_retry{5'000};
    bool allow_private_mx = false;                // MX answers may be non-global addresses (labs and tests)
    std::vector<std::string> require_tls_domains; // recipient domains delivered only over verified TLS
    std::string tls_ca_file;                      // CAs trusted for them besides the system's
    unsigned retry_share_percent = 50;            // share of max_deliveries retries may hold
    milliseconds slowdown_pause{0};             // first pause after a rate-limit reply; 0 = 4 x retry_initial
    milliseconds slowdown_max_pause{3'600'000}; // pauses double up to this
    milliseconds slowdown_recovery{300'000};    // quiet time with deliveries before a step back up
    std::int64_t slowdown_rate_milli = 2'000;   // base rate (per s x 1000) of a destination without one
    bool warmup = false;                        // daily caps per sending domain while it is new
    unsigned warmup_start = 200;                // recipients on the day the domain was added
    unsigned warmup_growth_percent = 50;        // each later day: the previous cap x (1 + this/100)
    unsigned warmup_days = 30;                  // from this day on: no cap
    // from [tracking]
    LinkHost tracking_link_host = LinkHost::cname; // where tracked mail's pixel and links point
    // [[route]], [[destination]]
    std::vector<Route> routes;
    std::vector<DestinationRule> destinations;

    RetryPolicy retry_policy() const { return {retry_initial, retry_max, max_lifetime}; }
    // The first slow-down pause: as configured, else the slower retry's first delay.
    milliseconds first_slowdown_pause() const {
        return slowdown_pause.count() > 0 ? slowdown_pause : retry_initial * 4;
    }
};

} // namespace mailpush::delivery
