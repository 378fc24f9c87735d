// Monitoring (docs/monitoring.md): the seeds' monitor items, counted per account and minute, and
// the meter that counts them in memory until the store writes them (every few seconds, with the
// quota counts). Pure apart from the meter's mutex: callers pass the time.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace mailpush::store {

// One per monitor item of the hosted service's 邮件推送监控 (Count/min, one-minute grain).
enum class MonitorItem : std::uint8_t {
    api_error_length,
    api_error_quota,
    api_error_spam,
    api_error_invalid,
    api_success,
    smtp_auth_failed,
    smtp_auth_succeeded,
    smtp_error_length,
    smtp_error_quota,
    smtp_error_spam,
    smtp_error_invalid,
};

struct MonitorItemInfo {
    MonitorItem item;
    std::string_view key;   // "smtp_auth_failed": the API's and the rules' name of the item
    std::string_view group; // "api" (WEB/API 发信方式) or "smtp" (SMTP 发信方式)
    std::string_view zh, en;
};
std::span<const MonitorItemInfo> monitor_items();
std::optional<MonitorItem> find_monitor_item(std::string_view key);
std::string_view monitor_key(MonitorItem item);

inline constexpr std::int64_t kMinuteMs = 60'000;
inline constexpr int kMonitorRetentionDays = 31; // kept; older minutes are deleted
inline constexpr int kMonitorViewDays = 14;      // at most this many days in one query

struct MonitorCount {
    std::string account;
    MonitorItem item{};
    std::int64_t minute = 0; // unix milliseconds at the minute's start
    std::int64_t count = 0;
};

class MonitorMeter {
public:
    void add(const std::string& account, MonitorItem item, std::int64_t now_ms, std::int64_t n = 1);
    std::vector<MonitorCount> take();                      // the counts since the last take
    void restore(const std::vector<MonitorCount>& counts); // taken but not written: counted again
    // What take() would return for `account` now, without taking it (a query adds it to the
    // rows already written, so the current minute shows before the next write).
    std::vector<MonitorCount> pending(const std::string& account);

private:
    std::mutex mutex_;
    std::map<std::tuple<std::string, MonitorItem, std::int64_t>, std::int64_t> counts_;
};

} // namespace mailpush::store
