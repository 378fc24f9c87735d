// The OpenAPI's options: [http] max_clock_skew and public_url, and the [server], [limits] and
// [delivery] values the API needs. The OpenAPI receives only this part of the configuration.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

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
};

} // namespace mailpush::openapi
