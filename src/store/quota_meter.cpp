#include "mailpush/store/quota_meter.hpp"

#include "mailpush/common/calendar.hpp"

namespace mailpush::store {

std::string local_day(std::int64_t unix_seconds, int utc_offset_minutes) {
    const common::UnixSeconds local{std::chrono::seconds{unix_seconds} +
                                    std::chrono::minutes{utc_offset_minutes}};
    return common::format_time(local, common::TimeFormat::date);
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

QuotaVerdict QuotaMeter::check_locked(const Counter& c, std::int64_t daily_quota, std::int64_t monthly_quota,
                                      std::int64_t adding) const {
    if (c.day_used >= daily_quota) return QuotaVerdict::daily_exceeded;
    if (c.month_used >= monthly_quota) return QuotaVerdict::monthly_exceeded;
    if (adding > 0 && (c.day_used + adding > daily_quota || c.month_used + adding > monthly_quota))
        return QuotaVerdict::not_enough;
    return QuotaVerdict::ok;
}

void QuotaMeter::add_locked(const std::string& account, Counter& c, std::int64_t count) {
    c.day_used += count;
    c.month_used += count;
    pending_[{account, c.day}] += count;
}

QuotaVerdict QuotaMeter::check(const std::string& account, std::int64_t daily_quota,
                               std::int64_t monthly_quota, std::int64_t adding, std::int64_t now_s) {
    std::lock_guard lock(mutex_);
    return check_locked(roll(account, now_s), daily_quota, monthly_quota, adding);
}

void QuotaMeter::add(const std::string& account, std::int64_t count, std::int64_t now_s) {
    if (count <= 0) return;
    std::lock_guard lock(mutex_);
    add_locked(account, roll(account, now_s), count);
}

QuotaVerdict QuotaMeter::reserve(const std::string& account, std::int64_t daily_quota,
                                 std::int64_t monthly_quota, std::int64_t count, std::int64_t now_s) {
    std::lock_guard lock(mutex_);
    auto& c = roll(account, now_s);
    const auto verdict = check_locked(c, daily_quota, monthly_quota, count);
    if (verdict == QuotaVerdict::ok && count > 0) add_locked(account, c, count);
    return verdict;
}

void QuotaMeter::release(const std::string& account, std::int64_t count, std::int64_t reserved_at_s) {
    if (count <= 0) return;
    std::lock_guard lock(mutex_);
    const std::string day = local_day(reserved_at_s, offset_);
    auto it = counters_.find(account);
    if (it == counters_.end()) return;
    // A day or month that has rolled over since the reservation has restarted its count.
    if (it->second.day == day) it->second.day_used -= count;
    if (it->second.month == day.substr(0, 7)) it->second.month_used -= count;
    pending_[{account, day}] -= count; // may cancel out to 0, or go below if already flushed
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
        if (count != 0) out.push_back({key.first, key.second, count});
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
