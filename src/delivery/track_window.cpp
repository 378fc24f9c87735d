// The days a tracking statistics query may cover. Pure: today comes in as `now_ms`.
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

TrackWindowCheck track_window(std::string_view first_day, std::string_view last_day, int utc_offset_minutes,
                              std::int64_t now_ms) {
    const auto from = day_start(first_day, utc_offset_minutes);
    const auto last = day_start(last_day, utc_offset_minutes);
    if (!from || !last) return {std::nullopt, "the days must be yyyy-MM-dd"};
    if (*last < *from) return {std::nullopt, "the end day is before the start day"};
    if (*last - *from >= kTrackMaxDays * kDayMs)
        return {std::nullopt, "a query covers at most " + std::to_string(kTrackMaxDays) + " days"};
    // Today's local midnight, from the offset's point of view.
    const std::int64_t offset_ms = std::int64_t{utc_offset_minutes} * 60'000;
    const std::int64_t today = (now_ms + offset_ms) / kDayMs * kDayMs - offset_ms;
    if (*from < today - kTrackOldestDays * kDayMs)
        return {std::nullopt, "the start day is more than " + std::to_string(kTrackOldestDays) + " days ago"};
    return {TrackWindow{*from, *last + kDayMs}, ""};
}

} // namespace mailpush::delivery
