// /v1/stats/track and /v1/stats/links: an account's tracking statistics (docs/tracking.md),
// days of the send in the region's time zone. Handles untrusted input: the query.
#include "admin_router.hpp"
#include "admin_util.hpp"

#include "mailpush/common/calendar.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/delivery/delivery_log.hpp"
#include "mailpush/store/store.hpp"

namespace mailpush::api::detail {
namespace {
constexpr std::int64_t kDayMs = 86'400'000;

std::string tracked_account(const AdminServices& s, const RouteCall& c) {
    if (!s.log) throw HttpError{503, "Unavailable", "tracking statistics are not available"};
    const auto account = c.query_or_empty("account");
    if (account.empty()) throw HttpError{400, "MissingParameter", "account is required"};
    s.store.get_account(account); // 404 for an unknown account
    return account;
}

// from/to (YYYY-MM-DD, local); by default the 7 days that end today.
delivery::TrackWindow days(const AdminServices& s, const RouteCall& c) {
    const auto now_ms = unix_now() * 1000;
    const auto local_day = [&](std::int64_t ms) {
        return common::format_time(
            common::UnixSeconds{std::chrono::seconds{ms / 1000 + s.utc_offset_minutes * 60}},
            common::TimeFormat::date);
    };
    auto to = c.query_or_empty("to");
    if (to.empty()) to = local_day(now_ms);
    auto from = c.query_or_empty("from");
    if (from.empty()) {
        const auto last = common::parse_local_datetime(to, s.utc_offset_minutes);
        if (!last) throw HttpError{400, "InvalidParameter", "to must be YYYY-MM-DD"};
        from = local_day(*last - (delivery::kTrackMaxSpanDays - 1) * kDayMs);
    }
    const auto checked =
        delivery::track_window(from, to, delivery::kTrackMaxSpanDays, s.utc_offset_minutes, now_ms);
    if (!checked.window) throw HttpError{400, "InvalidParameter", "from/to: " + checked.error};
    return *checked.window;
}

double rate(std::int64_t part, std::int64_t whole) {
    return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

ApiResponse track(const AdminServices& s, const RouteCall& c) {
    delivery::TrackQuery q;
    q.account = tracked_account(s, c);
    q.window = days(s, c);
    q.mail_from = c.query_or_empty("address");
    q.tag = c.query_or_empty("tag");
    q.utc_offset_minutes = s.utc_offset_minutes;
    json rows = json::array();
    for (const auto& r : delivery::every_day(s.log->track_stats(q), q.window, q.utc_offset_minutes)) {
        json row{{"day", r.day}, {"sent", r.sent}};
        for (const auto& [name, n] :
             {std::pair{"opens", r.opens}, std::pair{"unique_opens", r.unique_opens},
              std::pair{"clicks", r.clicks}, std::pair{"unique_clicks", r.unique_clicks}}) {
            row[name] = n.total;
            row[std::string(name) + "_human"] = n.human;
            row[std::string(name) + "_machine"] = n.machine;
            row[std::string(name) + "_rate"] = rate(n.total, r.sent);
        }
        rows.push_back(std::move(row));
    }
    return ok(rows);
}

ApiResponse links(const AdminServices& s, const RouteCall& c) {
    delivery::LinkQuery q;
    q.account = tracked_account(s, c);
    const auto envid = c.query_or_empty("envid");
    q.tag = c.query_or_empty("tag");
    if (envid.empty() == q.tag.empty())
        throw HttpError{400, "InvalidParameter", "give either envid or tag (one of the two)"};
    if (!envid.empty()) {
        const auto id = common::parse_u64(envid);
        if (!id || *id == 0) throw HttpError{400, "InvalidParameter", "envid must be a message's env_id"};
        q.envid = *id;
    }
    json rows = json::array();
    for (const auto& l : s.log->link_stats(q))
        rows.push_back({{"link", l.link},
                        {"url", l.url},
                        {"clicks", l.clicks},
                        {"unique_clicks", l.unique_clicks},
                        {"human_clicks", l.clicks - l.machine_clicks},
                        {"machine_clicks", l.machine_clicks}});
    return ok(rows);
}

} // namespace

std::span<const Route> tracking_routes() {
    static const Route routes[] = {
        {"GET", "/v1/stats/track", Access::admin, track},
        {"GET", "/v1/stats/links", Access::admin, links},
    };
    return routes;
}

} // namespace mailpush::api::detail
