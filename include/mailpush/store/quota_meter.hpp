// Daily and monthly sending quotas (SPEC §3, §6): counts of accepted recipients per account,
// per local day and month (days in a configured UTC offset; the hosted service uses +08:00).
// In memory and thread-safe, so SMTP and the API check it without I/O; the store persists the
// counts every few seconds. Pure apart from its mutex: callers pass the time.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace mailpush::store {

enum class QuotaVerdict { ok, daily_exceeded, monthly_exceeded, not_enough };

struct Usage {
    std::string day;   // "YYYY-MM-DD"
    std::string month; // "YYYY-MM"
    std::int64_t day_used = 0;
    std::int64_t month_used = 0;
};

struct UsageDelta {
    std::string account;
    std::string day;
    std::int64_t count = 0;
};

// "YYYY-MM-DD" of `unix_seconds` at `utc_offset_minutes`.
std::string local_day(std::int64_t unix_seconds, int utc_offset_minutes);

class QuotaMeter {
public:
    explicit QuotaMeter(int utc_offset_minutes = 480)
        : offset_(utc_offset_minutes) {}

    // `adding` 0 (at MAIL): daily/monthly exceeded once used >= quota. `adding` > 0: also
    // not_enough when used + adding would pass either quota.
    QuotaVerdict check(const std::string& account, std::int64_t daily_quota, std::int64_t monthly_quota,
                       std::int64_t adding, std::int64_t now_s);
    void add(const std::string& account, std::int64_t count, std::int64_t now_s);
    // check(adding = count) and add in one step, so concurrent senders cannot together pass the
    // quota. A send that then fails gives the count back with release(), passing the same now_s.
    QuotaVerdict reserve(const std::string& account, std::int64_t daily_quota, std::int64_t monthly_quota,
                         std::int64_t count, std::int64_t now_s);
    void release(const std::string& account, std::int64_t count, std::int64_t reserved_at_s);
    Usage usage(const std::string& account, std::int64_t now_s);

    // Persistence: counts loaded at start-up, and the increments since the last take.
    void load(const std::string& account, const std::string& day, std::int64_t day_used,
              std::int64_t month_used);
    std::vector<UsageDelta> take_deltas();

private:
    struct Counter {
        std::string day, month;
        std::int64_t day_used = 0, month_used = 0;
    };
    Counter& roll(const std::string& account, std::int64_t now_s); // new day/month: restart counts
    QuotaVerdict check_locked(const Counter& c, std::int64_t daily_quota, std::int64_t monthly_quota,
                              std::int64_t adding) const;
    void add_locked(const std::string& account, Counter& c, std::int64_t count);

    int offset_;
    std::mutex mutex_;
    std::map<std::string, Counter> counters_;
    std::map<std::pair<std::string, std::string>, std::int64_t> pending_; // (account, day) -> count
};

const char* to_string(QuotaVerdict v);

// Holds a reservation for one send: released when destroyed unless keep() says how much of it
// was used (the rest is released).
class QuotaHold {
public:
    QuotaHold(QuotaMeter& meter, std::string account, std::int64_t count, std::int64_t reserved_at_s)
        : meter_(&meter)
        , account_(std::move(account))
        , count_(count)
        , at_(reserved_at_s) {}
    QuotaHold(const QuotaHold&) = delete;
    QuotaHold& operator=(const QuotaHold&) = delete;
    ~QuotaHold() { keep(0); }
    void keep(std::int64_t used) {
        if (count_ > used) meter_->release(account_, count_ - used, at_);
        count_ = 0;
    }

private:
    QuotaMeter* meter_;
    std::string account_;
    std::int64_t count_;
    std::int64_t at_;
};

} // namespace mailpush::store
