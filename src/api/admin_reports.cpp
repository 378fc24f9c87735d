// /v1/details and /v1/stats: an account's delivery reports, days in the region's time zone.
#include "admin_router.hpp"
#include "admin_util.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/delivery/delivery_log.hpp"
#include "mailpush/store/store.hpp"

namespace mailpush::api::detail {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;

// What both reports share: the account (it must exist) and the from/to window.
struct ReportWindow {
    const AdminServices& s;
    const RouteCall& c;

    std::string account() const {
        if (!s.log) throw HttpError{503, "Unavailable", "delivery reporting is not available"};
        const auto account = c.query_or_empty("account");
        if (account.empty()) throw HttpError{400, "MissingParameter", "account is required"};
        s.store.get_account(account); // 404 for an unknown account
        return account;
    }
    // A local date or date and time; a bare date as `to` means the end of that day.
    std::int64_t when(const char* key, std::int64_t fallback, bool whole_day_end) const {
        const auto text = c.query_or_empty(key);
        if (text.empty()) return fallback;
        const auto ms = common::parse_local_datetime(text, s.utc_offset_minutes);
        if (!ms) throw HttpError{400, "InvalidParameter", std::string(key) + " must be YYYY-MM-DD[ HH:MM]"};
        return *ms + (whole_day_end && text.size() == 10 ? kDayMs : 0);
    }
};

ApiResponse details(const AdminServices& s, const RouteCall& c) {
    const ReportWindow w{s, c};
    delivery::DetailQuery q;
    q.account = w.account();
    const auto now = unix_now() * 1000;
    q.from_ms = w.when("from", now - 30 * kDayMs, false);
    q.to_ms = w.when("to", now + 60'000, true);
    q.mail_from = c.query_or_empty("sender");
    q.rcpt = common::to_lower(c.query_or_empty("rcpt"));
    q.tag = c.query_or_empty("tag");
    const auto status = c.query_or_empty("status");
    if (!status.empty() && status != "0" && status != "2" && status != "3" && status != "4")
        throw HttpError{400, "InvalidParameter", "status must be 0, 2, 3 or 4"};
    q.status = status.empty() ? -1 : std::stoi(status);
    const auto limit_text = c.query_or_empty("limit");
    const auto limit = common::parse_u64(limit_text.empty() ? "100" : limit_text);
    if (!limit || *limit == 0 || *limit > 10'000)
        throw HttpError{400, "InvalidParameter", "limit must be 1-10000"};
    q.limit = *limit;
    json rows = json::array();
    for (const auto& r : s.log->details(q))
        rows.push_back({{"env_id", std::to_string(r.envid)},
                        {"sender", r.mail_from},
                        {"rcpt", r.rcpt},
                        {"tag", r.tag},
                        {"subject", r.subject},
                        {"status", r.status},
                        {"failed_type", r.failed_type},
                        {"reply", r.reply},
                        {"ended_ms", r.ended_ms}});
    return ok(rows);
}

ApiResponse stats(const AdminServices& s, const RouteCall& c) {
    const ReportWindow w{s, c};
    delivery::StatQuery q;
    q.account = w.account();
    const auto now = unix_now() * 1000;
    q.from_ms = w.when("from", now - 7 * kDayMs, false);
    q.to_ms = w.when("to", now + 60'000, true);
    q.mail_from = c.query_or_empty("sender");
    q.tag = c.query_or_empty("tag");
    const auto by = c.query_or_empty("by");
    q.group = by.empty() ? "day" : by;
    if (q.group != "day" && q.group != "sender" && q.group != "tag")
        throw HttpError{400, "InvalidParameter", "by must be day, sender or tag"};
    q.utc_offset_minutes = s.utc_offset_minutes;
    json rows = json::array();
    for (const auto& st : s.log->stats(q)) {
        auto rate = [&](std::int64_t part) {
            return st.total == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(st.total);
        };
        rows.push_back({{"key", st.key},
                        {"total", st.total},
                        {"success", st.delivered},
                        {"failed", st.failed + st.spam},
                        {"invalid", st.invalid},
                        {"success_rate", rate(st.delivered)},
                        {"invalid_rate", rate(st.invalid)}});
    }
    return ok(rows);
}

} // namespace

std::span<const Route> report_routes() {
    static const Route routes[] = {
        {"GET", "/v1/details", Access::admin, details},
        {"GET", "/v1/stats", Access::admin, stats},
    };
    return routes;
}

} // namespace mailpush::api::detail
