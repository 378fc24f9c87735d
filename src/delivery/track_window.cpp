// The days a tracking statistics query may cover. Pure: today comes in as `now_ms`.
#include "mailpush/common/calendar.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/delivery/track_report.hpp"

namespace mailpush::delivery {
namespace {
constexpr std::int64_t kDayMs = 86'400'000;

std::optional<std::int64_t> day_start(std::string_view day, int utc_offset_minutes) {
    if (day.size() != 10) return std::nullopt; // a day, not a time
    return common::parse_local_datetime(day, utc_offset_minutes);
}
} // namespace

TrackWindowCheck track_window(std::string_view first_day, std::string_view last_day, int max_span_days,
                              int utc_offset_minutes, std::int64_t now_ms) {
    const auto from = day_start(first_day, utc_offset_minutes);
    const auto last = day_start(last_day, utc_offset_minutes);
    if (!from || !last) return {std::nullopt, "the days must be yyyy-MM-dd"};
    if (*last < *from) return {std::nullopt, "the end day is before the start day"};
    if (*last - *from > max_span_days * kDayMs)
        return {std::nullopt,
                "the end day is more than " + std::to_string(max_span_days) + " days after the start day"};
    // Today's local midnight, from the offset's point of view.
    const std::int64_t offset_ms = std::int64_t{utc_offset_minutes} * 60'000;
    const std::int64_t today = (now_ms + offset_ms) / kDayMs * kDayMs - offset_ms;
    if (*from < today - kTrackOldestDays * kDayMs)
        return {std::nullopt, "the start day is more than " + std::to_string(kTrackOldestDays) + " days ago"};
    return {TrackWindow{*from, *last + kDayMs}, ""};
}

std::vector<TrackStatRow> every_day(const std::vector<TrackStatRow>& rows, const TrackWindow& window,
                                    int utc_offset_minutes) {
    const std::int64_t offset_ms = std::int64_t{utc_offset_minutes} * 60'000;
    std::vector<TrackStatRow> out;
    auto next = rows.begin();
    for (std::int64_t day = window.from_ms; day < window.to_ms; day += kDayMs) {
        const auto name = common::format_time(
            common::UnixSeconds{std::chrono::seconds{(day + offset_ms) / 1000}}, common::TimeFormat::date);
        while (next != rows.end() && next->day < name)
            ++next; // a row outside the window's days (none from track_stats)
        if (next != rows.end() && next->day == name)
            out.push_back(*next++);
        else
            out.push_back(TrackStatRow{name, 0, {}, {}, {}, {}});
    }
    return out;
}

} // namespace mailpush::delivery
