// Tracking statistics actions (docs/openapi.md): GetTrackList and
// GetTrackListByMailFromAndTagName, opens and clicks per day of the send over the delivery log.
// Handles untrusted input: the request's parameters.
#include "actions.hpp"

namespace mailpush::openapi::detail {
using nlohmann::json;

namespace {
// The SDK documents these spans: 7 days for GetTrackList, 15 for the other.
constexpr int kTrackListSpanDays = delivery::kTrackMaxSpanDays;
constexpr int kByMailFromSpanDays = 15;

delivery::TrackQuery track_query(ActionContext& c, int max_span_days) {
    if (!c.backends.track_stats)
        throw ApiError{503, "ServiceUnavailable", "Tracking statistics are not available."};
    const auto start = c.required("StartTime");
    const auto end = c.required("EndTime");
    const auto checked =
        delivery::track_window(start, end, max_span_days, c.options.utc_offset_minutes, c.now_s * 1000);
    if (!checked.window) throw ApiError{400, "InvalidParameter", "StartTime/EndTime: " + checked.error + "."};
    delivery::TrackQuery q;
    q.account = c.account;
    q.window = *checked.window;
    q.mail_from = c.optional("AccountName");
    q.tag = c.optional("TagName");
    if (!q.tag.empty() && q.mail_from.empty()) c.required("AccountName"); // the SDK: required with TagName
    q.utc_offset_minutes = c.options.utc_offset_minutes;
    return q;
}

json stat_entry(const delivery::TrackStatRow& r) {
    auto n = [](std::int64_t v) { return std::to_string(v); };
    return {{"CreateTime", r.day},
            {"TotalNumber", n(r.sent)},
            {"RcptOpenCount", n(r.opens.total)},
            {"RcptOpenRate", percent(r.opens.total, r.sent)},
            {"RcptUniqueOpenCount", n(r.unique_opens.total)},
            {"RcptUniqueOpenRate", percent(r.unique_opens.total, r.sent)},
            {"RcptClickCount", n(r.clicks.total)},
            {"RcptClickRate", percent(r.clicks.total, r.sent)},
            {"RcptUniqueClickCount", n(r.unique_clicks.total)},
            {"RcptUniqueClickRate", percent(r.unique_clicks.total, r.sent)},
            // Ours (docs/tracking.md, "Human and machine hits"): the same counts split.
            {"RcptOpenHumanCount", n(r.opens.human)},
            {"RcptOpenMachineCount", n(r.opens.machine)},
            {"RcptUniqueOpenHumanCount", n(r.unique_opens.human)},
            {"RcptUniqueOpenMachineCount", n(r.unique_opens.machine)},
            {"RcptClickHumanCount", n(r.clicks.human)},
            {"RcptClickMachineCount", n(r.clicks.machine)},
            {"RcptUniqueClickHumanCount", n(r.unique_clicks.human)},
            {"RcptUniqueClickMachineCount", n(r.unique_clicks.machine)}};
}

// Every day of the window (zeros where nothing was sent), paged by PageNumber/PageSize.
struct StatPage {
    json stats = json::array();
    std::int64_t page = 1, size = 10, total = 0, pages = 0;
};

StatPage stat_page(ActionContext& c, const delivery::TrackQuery& q) {
    StatPage p;
    p.page = c.integer("PageNumber", 1, 1, 1'000'000);
    p.size = c.integer("PageSize", 10, 1, 100);
    const auto days = delivery::every_day(c.backends.track_stats(q), q.window, q.utc_offset_minutes);
    p.total = static_cast<std::int64_t>(days.size());
    p.pages = (p.total + p.size - 1) / p.size;
    for (std::int64_t i = (p.page - 1) * p.size; i < std::min(p.total, p.page * p.size); ++i)
        p.stats.push_back(stat_entry(days[static_cast<std::size_t>(i)]));
    return p;
}
} // namespace

json get_track_list(ActionContext& c) {
    const auto page = stat_page(c, track_query(c, kTrackListSpanDays));
    return {{"PageNo", page.page},           {"PageSize", page.size},  {"Total", page.total},
            {"TotalPages", page.pages},      {"OffsetCreateTime", ""}, {"OffsetCreateTimeDesc", ""},
            {"data", {{"stat", page.stats}}}};
}

json get_track_list_by_mail_from_and_tag_name(ActionContext& c) {
    const auto page = stat_page(c, track_query(c, kByMailFromSpanDays));
    // The SDK's model of this reply has TotalPages as a string and the list as TrackList.Stat.
    return {{"PageNo", page.page},
            {"PageSize", page.size},
            {"Total", page.total},
            {"TotalPages", std::to_string(page.pages)},
            {"OffsetCreateTime", ""},
            {"OffsetCreateTimeDesc", ""},
            {"TrackList", {{"Stat", page.stats}}}};
}

} // namespace mailpush::openapi::detail
