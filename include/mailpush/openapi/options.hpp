// The OpenAPI's options: [http] max_clock_skew, public_url, public_names and the per-key and
// per-account bounds, and the [server], [limits] and
// [delivery] values the API needs. The OpenAPI receives only this part of the configuration.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mailpush::openapi {

struct OpenApiOptions {
    std::string region = "cn-hangzhou";
    std::string hostname = "localhost";
    std::chrono::seconds max_clock_skew{900}; // the hosted service's 15 minutes
    bool require_verified_domain = true;
    std::size_t max_message_bytes = 15 * 1024 * 1024;
    std::size_t max_api_recipients = 100; // SingleSendMail ToAddress
    std::string public_url;               // base of links mailed to users (reply-to verification)
    std::string system_sender = "";       // MAIL FROM of mails the service itself sends
    int utc_offset_minutes = 480;         // local time of the reporting queries' StartTime/EndTime
    // Hosts an ACS3 signature may name ([http] public_names); empty: default_public_names().
    std::vector<std::string> public_names;
    // Nonces one access key may hold in the replay window (2 x max_clock_skew).
    std::size_t max_nonces_per_key = 100'000;
    // Blocking calls (DNS checks, batch sends) one account may run at once on the API pool.
    std::size_t max_blocking_per_account = 2;
};

} // namespace mailpush::openapi
