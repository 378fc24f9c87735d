#include "mailpush/delivery/event_format.hpp"

#include "mailpush/common/calendar.hpp"
#include "mailpush/common/url.hpp"

namespace mailpush::delivery {
namespace {
// Keeps a value inside its "key=value" slot of the '&'-separated string.
constexpr common::ByteSet kValueBytes = ~common::ByteSet("&%\r\n");

std::string value(std::string_view v) {
    return common::percent_encode(v, kValueBytes);
}
} // namespace

std::string format_event_time(SystemTime t, int utc_offset_seconds) {
    return common::format_time(common::to_unix_seconds(t) + std::chrono::seconds{utc_offset_seconds},
                               common::TimeFormat::date_time);
}

std::string format_delivery_event(const DeliveryEvent& e, int off) {
    return "env_id=" + std::to_string(e.env_id) + "&msg_id=" + value(e.msg_id) +
           "&account=" + value(e.account) + "&from=" + value(e.from) + "&rcpt=" + value(e.rcpt) +
           "&recv_time=" + format_event_time(e.recv_time, off) +
           "&end_time=" + format_event_time(e.end_time, off) + "&status=" + std::to_string(e.status) +
           "&event=deliver&region=" + value(e.region) + "&err_code=" + std::to_string(e.err_code) +
           "&err_msg=" + value(e.err_msg) + "&failed_type=" + value(e.failed_type);
}

std::string format_tracking_event(const TrackingEvent& e, int off, std::string_view hit_class) {
    std::string s = "event=" + value(e.kind) + "&region=" + value(e.region) +
                    "&env_id=" + std::to_string(e.env_id) + "&from=" + value(e.from) +
                    "&rcpt=" + value(e.rcpt) + "&operate_time=" + format_event_time(e.operate_time, off);
    if (!hit_class.empty()) s += "&class=" + value(hit_class);
    if (e.kind == "Click") s += "&url=" + value(e.url);
    return s;
}

} // namespace mailpush::delivery
