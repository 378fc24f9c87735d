#include "mailpush/store/quota_meter.hpp"

#include <ctime>

namespace mailpush::store {

std::string local_day(std::int64_t unix_seconds, int utc_offset_minutes) {
    const std::time_t t = static_cast<std::time_t>(unix_seconds + std::int64_t{utc_offset_minutes} * 60);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    return buf;
}

QuotaMeter::Counter& QuotaMeter::roll(const std::string& account, std::int64_t now_s) {
    auto& c = counters_[account];
    const std::string day = local_day(now_s, offset_);
    const std::string month = day.substr(0, 7);
    if (c.month != month) {
        c.month = month;
        c.month_used = 0;
    }
    if (c.day != day) {
        c.day = day;
        c.day_used = 0;
    }
    return c;
}

QuotaVerdict QuotaMeter::check(const std::string& account, std::int64_t daily_quota,
                               std::int64_t monthly_quota, std::int64_t adding, std::int64_t now_s) {
    std::lock_guard lock(mutex_);
    const auto& c = roll(account, now_s);
    if (c.day_used >= daily_quota) return QuotaVerdict::daily_exceeded;
    if (c.month_used >= monthly_quota) return QuotaVerdict::monthly_exceeded;
    if (adding > 0 && (c.day_used + adding > daily_quota || c.month_used + adding > monthly_quota))
        return QuotaVerdict::not_enough;
    return QuotaVerdict::ok;
}

void QuotaMeter::add(const std::string& account, std::int64_t count, std::int64_t now_s) {
    if (count <= 0) return;
    std::lock_guard lock(mutex_);
    auto& c = roll(account, now_s);
    c.day_used += count;
    c.month_used += count;
    pending_[{account, c.day}] += count;
}

Usage QuotaMeter::usage(const std::string& account, std::int64_t now_s) {
    std::lock_guard lock(mutex_);
    const auto& c = roll(account, now_s);
    return {c.day, c.month, c.day_used, c.month_used};
}

void QuotaMeter::load(const std::string& account, const std::string& day, std::int64_t day_used,
                      std::int64_t month_used) {
    std::lock_guard lock(mutex_);
    auto& c = counters_[account];
    c.day = day;
    c.month = day.substr(0, 7);
    c.day_used = day_used;
    c.month_used = month_used;
}

std::vector<UsageDelta> QuotaMeter::take_deltas() {
    std::lock_guard lock(mutex_);
    std::vector<UsageDelta> out;
    for (const auto& [key, count] : pending_)
        out.push_back({key.first, key.second, count});
    pending_.clear();
    return out;
}

const char* to_string(QuotaVerdict v) {
    switch (v) {
    case QuotaVerdict::ok:
        return "ok";
    case QuotaVerdict::daily_exceeded:
        return "daily_exceeded";
    case QuotaVerdict::monthly_exceeded:
        return "monthly_exceeded";
    case QuotaVerdict::not_enough:
        return "not_enough";
    }
    return "?";
}

} // namespace mailpush::store
