// Reporting actions (SPEC §7): delivery details and statistics per day, over the delivery log.
#include "actions.hpp"

#include "mailpush/common/calendar.hpp"
#include "mailpush/common/strings.hpp"

#include <cstdio>

namespace mailpush::openapi::detail {
using nlohmann::json;

namespace {
// StartTime/EndTime in the service's local time (yyyy-MM-dd or yyyy-MM-dd HH:mm).
std::int64_t time_param(ActionContext& c, const char* name, std::int64_t fallback) {
    const auto text = c.optional(name);
    if (text.empty()) return fallback;
    const auto ms = common::parse_local_datetime(text, c.options.utc_offset_minutes);
    if (!ms)
        throw ApiError{400, "InvalidParameter",
                       std::string(name) + " must be yyyy-MM-dd or yyyy-MM-dd HH:mm."};
    return *ms;
}

std::string utc_minute(std::int64_t ms) { // "2026-11-24T05:03Z", the hosted service's shape
    const auto t = std::chrono::floor<std::chrono::seconds>(
        std::chrono::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds{ms}});
    return common::format_time(t, common::TimeFormat::iso_minute);
}

void require_backend(ActionContext& c) {
    if (!c.backends.details || !c.backends.stats)
        throw ApiError{503, "ServiceUnavailable", "Delivery reporting is not available."};
}
} // namespace

std::string percent(std::int64_t part, std::int64_t whole) {
    if (whole == 0) return "0%";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
    std::string s = buf; // "100.00%" -> "100%", "66.70%" -> "66.7%"
    while (s.size() > 2 && s[s.size() - 2] == '0' && s.find('.') != std::string::npos)
        s.erase(s.size() - 2, 1);
    if (s.size() > 2 && s[s.size() - 2] == '.') s.erase(s.size() - 2, 1);
    return s;
}

json sender_statistics_detail_by_param(ActionContext& c) {
    require_backend(c);
    delivery::DetailQuery q;
    q.account = c.account;
    q.from_ms = time_param(c, "StartTime", c.now_s * 1000 - 30LL * 86'400'000);
    q.to_ms = time_param(c, "EndTime", c.now_s * 1000 + 60'000);
    q.mail_from = c.optional("AccountName");
    q.rcpt = common::to_lower(c.optional("ToAddress"));
    q.tag = c.optional("TagName");
    q.status = static_cast<int>(c.integer("Status", -1, 0, 4));
    q.limit = static_cast<std::size_t>(c.integer("Length", 5, 1, 100));
    q.offset = static_cast<std::size_t>(c.integer("NextStart", 0, 0, 100'000'000));
    const auto rows = c.backends.details(q);
    json list = json::array();
    for (const auto& r : rows)
        list.push_back({{"AccountName", r.mail_from},
                        {"ToAddress", r.rcpt},
                        {"Status", r.status},
                        {"Subject", r.subject},
                        {"Message", r.reply},
                        {"ErrorClassification", r.failed_type},
                        {"LastUpdateTime", utc_minute(r.ended_ms)},
                        {"UtcLastUpdateTime", std::to_string(r.ended_ms / 1000)}});
    const auto total = c.backends.count_details ? c.backends.count_details(q) : 0;
    const bool more = static_cast<std::int64_t>(q.offset + rows.size()) < total;
    return {{"NextStart", more ? std::to_string(q.offset + rows.size()) : ""},
            {"data", {{"mailDetail", list}}}};
}

json sender_statistics_by_tag_name_and_batch_id(ActionContext& c) {
    require_backend(c);
    delivery::StatQuery q;
    q.account = c.account;
    q.from_ms = time_param(c, "StartTime", c.now_s * 1000 - 7LL * 86'400'000);
    // EndTime is a day, included whole.
    q.to_ms =
        c.optional("EndTime").empty() ? c.now_s * 1000 + 60'000 : time_param(c, "EndTime", 0) + 86'400'000;
    q.mail_from = c.optional("AccountName");
    q.tag = c.optional("TagName");
    q.group = "day";
    q.utc_offset_minutes = c.options.utc_offset_minutes;
    json list = json::array();
    for (const auto& s : c.backends.stats(q)) {
        const auto failed = s.failed + s.spam;
        list.push_back({{"CreateTime", s.key},
                        {"requestCount", std::to_string(s.total)},
                        {"successCount", std::to_string(s.delivered)},
                        {"faildCount", std::to_string(failed)},
                        {"unavailableCount", std::to_string(s.invalid)},
                        {"succeededPercent", percent(s.delivered, s.total)},
                        {"unavailablePercent", percent(s.invalid, s.total)}});
    }
    return {{"TotalCount", list.size()}, {"data", {{"stat", list}}}};
}

} // namespace mailpush::openapi::detail
