// The seeds' event message strings (SPEC §7), byte for byte:
//   env_id=..&msg_id=..&account=..&from=..&rcpt=..&recv_time=..&end_time=..&status=0&event=deliver
//   &region=..&err_code=250&err_msg=250 Send Mail OK&failed_type=SendOk
// Values are written as they are, like the hosted service's; only the characters that would break
// the "&"/"=" framing of a value ('&', '%', CR, LF) are percent-encoded (docs/events.md). Pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace mailpush::delivery {

using SystemTime = std::chrono::system_clock::time_point;

struct DeliveryEvent {
    std::uint64_t env_id = 0;
    std::string msg_id; // the message's Message-ID without angle brackets
    std::string account;
    std::string from;
    std::string rcpt;
    SystemTime recv_time;
    SystemTime end_time;
    int status = 0;
    std::string region;
    int err_code = 0;
    std::string err_msg; // "250 Send Mail OK": code and text
    std::string failed_type;
};

struct TrackingEvent {
    std::string kind; // "Open" or "Click"
    std::string region;
    std::uint64_t env_id = 0;
    std::string from;
    std::string rcpt;
    SystemTime operate_time;
    std::string url; // Click only
};

// "YYYY-MM-DD HH:MM:SS" in the given UTC offset (seconds east of UTC).
std::string format_event_time(SystemTime t, int utc_offset_seconds);

std::string format_delivery_event(const DeliveryEvent& e, int utc_offset_seconds);
// With a `hit_class` ("human", "proxy", … of docs/tracking.md), `&class=<hit_class>` follows
// operate_time (a Click's url stays last).
std::string format_tracking_event(const TrackingEvent& e, int utc_offset_seconds,
                                  std::string_view hit_class = {});

} // namespace mailpush::delivery
