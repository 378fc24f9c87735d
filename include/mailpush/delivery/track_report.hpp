// Tracking statistics (docs/tracking.md, "Statistics"): the queries over opens and clicks and
// their answers, and the check of a query's days. Plain records and one pure function; the
// delivery log answers the queries.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::delivery {

inline constexpr int kTrackMaxSpanDays = 7; // the last day at most this many days after the first
inline constexpr int kTrackOldestDays = 30; // the first day at most this many days before today

// Days of the send (the report row's end time at the service's UTC offset), [from_ms, to_ms).
struct TrackWindow {
    std::int64_t from_ms = 0;
    std::int64_t to_ms = 0;
};

// `first_day` and `last_day` (YYYY-MM-DD, both included) at `utc_offset_minutes`: the window, or
// the reason it is refused ("" when it is not): a malformed day, the last before the first, the
// last more than `max_span_days` after the first, or the first more than kTrackOldestDays days
// before today.
struct TrackWindowCheck {
    std::optional<TrackWindow> window;
    std::string error;
};
TrackWindowCheck track_window(std::string_view first_day, std::string_view last_day, int max_span_days,
                              int utc_offset_minutes, std::int64_t now_ms);

struct TrackQuery {
    std::string account;        // required
    TrackWindow window;         // days of the send
    std::string mail_from, tag; // "" = any
    int utc_offset_minutes = 480;
};

// One count split by the classes of docs/tracking.md: human = human and proxy hits,
// machine = prefetch and scanner hits. For unique counts, a recipient counts once in each part
// it has a hit in (so human + machine may exceed the total).
struct TrackCount {
    std::int64_t total = 0, human = 0, machine = 0;
};

struct TrackStatRow {
    std::string day;                                       // YYYY-MM-DD of the send, local
    std::int64_t sent = 0;                                 // tracked recipients delivered that day
    TrackCount opens, unique_opens, clicks, unique_clicks; // unique: per message and recipient
};

// One row per day of the window, oldest first: the rows of `rows` (days of data), zeros between.
std::vector<TrackStatRow> every_day(const std::vector<TrackStatRow>& rows, const TrackWindow& window,
                                    int utc_offset_minutes);

// Per-link clicks of one message (`envid`) or of every message with `tag`; one of the two is set.
struct LinkQuery {
    std::string account;
    std::uint64_t envid = 0; // 0 = by tag
    std::string tag;
};

struct LinkStatRow {
    std::uint32_t link = 0; // 1 = the message's first tracked link
    std::string url;
    std::int64_t clicks = 0, unique_clicks = 0, machine_clicks = 0;
};

} // namespace mailpush::delivery
