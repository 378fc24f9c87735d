#include "mailpush/common/calendar.hpp"
#include "mailpush/common/strings.hpp"

#include <gtest/gtest.h>

using namespace mailpush::common;
using namespace std::chrono_literals;

namespace {
constexpr std::int64_t kNov24 = 1795525509; // 2026-11-24 13:05:09 UTC, a Tuesday

std::optional<std::int64_t> seconds(std::string_view text, std::string_view layout) {
    const auto t = parse_civil_time(text, layout);
    if (!t) return std::nullopt;
    return t->time_since_epoch().count();
}
} // namespace

TEST(Calendar, ParsesEachLayout) {
    EXPECT_EQ(seconds("2026-11-24T13:05:09Z", "YYYY-MM-DDThh:mm:ssZ"), kNov24);
    EXPECT_EQ(seconds("2026-11-24 13:05:09", "YYYY-MM-DD hh:mm:ss"), kNov24);
    EXPECT_EQ(seconds("2026-11-24 13:05", "YYYY-MM-DD hh:mm"), kNov24 - 9);
    EXPECT_EQ(seconds("2026-11-24", "YYYY-MM-DD"), kNov24 - 13 * 3600 - 5 * 60 - 9);
    EXPECT_EQ(seconds("1970-01-01", "YYYY-MM-DD"), 0);
    EXPECT_EQ(seconds("2024-02-29", "YYYY-MM-DD"), 1709164800); // a leap day
}

TEST(Calendar, RejectsDaysTheCalendarLacks) {
    EXPECT_FALSE(seconds("2026-02-31", "YYYY-MM-DD"));
    EXPECT_FALSE(seconds("2026-02-29T00:00:00Z", "YYYY-MM-DDThh:mm:ssZ")); // not a leap year
    EXPECT_FALSE(seconds("2026-04-31 10:00", "YYYY-MM-DD hh:mm"));
    EXPECT_FALSE(seconds("2026-13-01", "YYYY-MM-DD"));
    EXPECT_FALSE(seconds("2026-00-01", "YYYY-MM-DD"));
    EXPECT_FALSE(seconds("2026-01-00", "YYYY-MM-DD"));
    EXPECT_FALSE(valid_civil_date(1900, 2, 29));
    EXPECT_TRUE(valid_civil_date(2000, 2, 29));
}

TEST(Calendar, RejectsTimesOutOfRangeAndOtherShapes) {
    EXPECT_FALSE(seconds("2026-11-24T24:00:00Z", "YYYY-MM-DDThh:mm:ssZ"));
    EXPECT_FALSE(seconds("2026-11-24T13:60:00Z", "YYYY-MM-DDThh:mm:ssZ"));
    EXPECT_FALSE(seconds("2026-11-24T13:05:60Z", "YYYY-MM-DDThh:mm:ssZ"));
    EXPECT_FALSE(seconds("2026-11-24 13:05:09", "YYYY-MM-DDThh:mm:ssZ"));
    EXPECT_FALSE(seconds("2026-11-24T13:05:09", "YYYY-MM-DDThh:mm:ssZ"));
    EXPECT_FALSE(seconds("2026-1a-24", "YYYY-MM-DD"));
    EXPECT_FALSE(seconds("+026-11-24", "YYYY-MM-DD"));
    EXPECT_FALSE(seconds("", "YYYY-MM-DD"));
}

TEST(Calendar, FormatsEachShape) {
    const UnixSeconds t{std::chrono::seconds{kNov24}};
    EXPECT_EQ(format_time(t, TimeFormat::date), "2026-11-24");
    EXPECT_EQ(format_time(t, TimeFormat::month), "2026-11");
    EXPECT_EQ(format_time(t, TimeFormat::date_time), "2026-11-24 13:05:09");
    EXPECT_EQ(format_time(t, TimeFormat::iso_minute), "2026-11-24T13:05Z");
    EXPECT_EQ(format_time(t, TimeFormat::rfc5322_utc), "Tue, 24 Nov 2026 13:05:09 +0000");
    EXPECT_EQ(format_time(UnixSeconds{}, TimeFormat::rfc5322_utc), "Thu, 01 Jan 1970 00:00:00 +0000");
    EXPECT_EQ(format_time(UnixSeconds{std::chrono::seconds{-1}}, TimeFormat::date_time),
              "1969-12-31 23:59:59");
}

TEST(Calendar, FormatAndParseRoundTrip) {
    for (std::int64_t s = 946684800; s < 946684800 + 400LL * 86400 * 3; s += 86400 + 3671) {
        const UnixSeconds t{std::chrono::seconds{s}};
        EXPECT_EQ(parse_civil_time(format_time(t, TimeFormat::date_time), "YYYY-MM-DD hh:mm:ss"), t);
    }
}

TEST(Calendar, ClockReadingsRoundDown) {
    const auto t = std::chrono::system_clock::time_point{std::chrono::milliseconds{kNov24 * 1000 + 999}};
    EXPECT_EQ(to_unix_seconds(t).time_since_epoch().count(), kNov24);
}

TEST(Calendar, LocalDateParametersRejectImpossibleDays) {
    EXPECT_FALSE(parse_local_datetime("2026-02-31", 480));
    EXPECT_FALSE(parse_local_datetime("2026-02-29 10:00", 0));
    EXPECT_FALSE(parse_local_datetime("2026-11-24 13:05:60", 0));
    EXPECT_EQ(parse_local_datetime("2028-02-29 08:00", 480), 1835395200000); // leap day, UTC midnight
}
