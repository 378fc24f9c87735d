#include "mailpush/common/calendar.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace mailpush::common {
namespace chr = std::chrono;

namespace {
// The fields of a civil time; month and day start at 1 so a layout without them is valid.
struct CivilFields {
    int year = 1970;
    int month = 1, day = 1, hour = 0, minute = 0, second = 0;
};

int* field_for(char placeholder, CivilFields& f) noexcept {
    switch (placeholder) {
    case 'Y':
        return &f.year;
    case 'M':
        return &f.month;
    case 'D':
        return &f.day;
    case 'h':
        return &f.hour;
    case 'm':
        return &f.minute;
    case 's':
        return &f.second;
    default:
        return nullptr;
    }
}

std::optional<CivilFields> read_fields(std::string_view text, std::string_view layout) noexcept {
    if (text.size() != layout.size()) return std::nullopt;
    CivilFields f;
    for (std::size_t i = 0; i < layout.size();) {
        int* field = field_for(layout[i], f);
        if (!field) {
            if (text[i] != layout[i]) return std::nullopt;
            ++i;
            continue;
        }
        *field = 0;
        for (const char placeholder = layout[i]; i < layout.size() && layout[i] == placeholder; ++i) {
            if (text[i] < '0' || text[i] > '9') return std::nullopt;
            *field = *field * 10 + (text[i] - '0');
        }
    }
    return f;
}

std::tm to_tm(UnixSeconds t) noexcept {
    const auto day = chr::floor<chr::days>(t);
    const chr::year_month_day ymd{day};
    const chr::hh_mm_ss hms{t - day};
    std::tm tm{};
    tm.tm_year = static_cast<int>(ymd.year()) - 1900;
    tm.tm_mon = static_cast<int>(static_cast<unsigned>(ymd.month())) - 1;
    tm.tm_mday = static_cast<int>(static_cast<unsigned>(ymd.day()));
    tm.tm_hour = static_cast<int>(hms.hours().count());
    tm.tm_min = static_cast<int>(hms.minutes().count());
    tm.tm_sec = static_cast<int>(hms.seconds().count());
    tm.tm_wday = static_cast<int>(chr::weekday{day}.c_encoding());
    tm.tm_yday = static_cast<int>((day - chr::sys_days{ymd.year() / chr::January / 1}).count());
    return tm;
}
} // namespace

bool valid_civil_date(int year, unsigned month, unsigned day) noexcept {
    return chr::year_month_day{chr::year{year}, chr::month{month}, chr::day{day}}.ok();
}

std::optional<UnixSeconds> parse_civil_time(std::string_view text, std::string_view layout) noexcept {
    const auto f = read_fields(text, layout);
    if (!f || f->month < 1 || f->day < 1 ||
        !valid_civil_date(f->year, static_cast<unsigned>(f->month), static_cast<unsigned>(f->day)) ||
        f->hour > 23 || f->minute > 59 || f->second > 59)
        return std::nullopt;
    const chr::sys_days day{chr::year{f->year} / f->month / f->day};
    return day + chr::hours{f->hour} + chr::minutes{f->minute} + chr::seconds{f->second};
}

std::string format_time(UnixSeconds t, TimeFormat format) {
    const std::tm tm = to_tm(t); // fmt formats std::tm without a locale and without the C library
    switch (format) {
    case TimeFormat::date:
        return fmt::format("{:%Y-%m-%d}", tm);
    case TimeFormat::month:
        return fmt::format("{:%Y-%m}", tm);
    case TimeFormat::date_time:
        return fmt::format("{:%Y-%m-%d %H:%M:%S}", tm);
    case TimeFormat::iso_minute:
        return fmt::format("{:%Y-%m-%dT%H:%MZ}", tm);
    case TimeFormat::rfc5322_utc:
        return fmt::format("{:%a, %d %b %Y %H:%M:%S +0000}", tm);
    }
    return {};
}

UnixSeconds to_unix_seconds(chr::system_clock::time_point t) noexcept {
    return chr::floor<chr::seconds>(t);
}

std::int64_t unix_seconds_now() noexcept {
    return chr::duration_cast<chr::seconds>(chr::system_clock::now().time_since_epoch()).count();
}

std::int64_t unix_ms_now() noexcept {
    return chr::duration_cast<chr::milliseconds>(chr::system_clock::now().time_since_epoch()).count();
}

} // namespace mailpush::common
