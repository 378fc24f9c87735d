#include "mailpush/delivery/event_format.hpp"

#include <cstdio>
#include <ctime>

namespace mailpush::delivery {
namespace {
// Keeps a value inside its "key=value" slot of the '&'-separated string.
std::string value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        switch (c) {
        case '&':
            out += "%26";
            break;
        case '%':
            out += "%25";
            break;
        case '\r':
            out += "%0D";
            break;
        case '\n':
            out += "%0A";
            break;
        default:
            out += c;
        }
    }
    return out;
}
} // namespace

std::string format_event_time(SystemTime t, int utc_offset_seconds) {
    const std::time_t secs = std::chrono::system_clock::to_time_t(t) + utc_offset_seconds;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

std::string format_delivery_event(const DeliveryEvent& e, int off) {
    return "env_id=" + std::to_string(e.env_id) + "&msg_id=" + value(e.msg_id) +
           "&account=" + value(e.account) + "&from=" + value(e.from) + "&rcpt=" + value(e.rcpt) +
           "&recv_time=" + format_event_time(e.recv_time, off) +
           "&end_time=" + format_event_time(e.end_time, off) + "&status=" + std::to_string(e.status) +
           "&event=deliver&region=" + value(e.region) + "&err_code=" + std::to_string(e.err_code) +
           "&err_msg=" + value(e.err_msg) + "&failed_type=" + value(e.failed_type);
}

std::string format_tracking_event(const TrackingEvent& e, int off) {
    std::string s = "event=" + value(e.kind) + "&region=" + value(e.region) +
                    "&env_id=" + std::to_string(e.env_id) + "&from=" + value(e.from) +
                    "&rcpt=" + value(e.rcpt) + "&operate_time=" + format_event_time(e.operate_time, off);
    if (e.kind == "Click") s += "&url=" + value(e.url);
    return s;
}

} // namespace mailpush::delivery
