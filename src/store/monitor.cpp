#include "mailpush/store/monitor.hpp"

namespace mailpush::store {

std::span<const MonitorItemInfo> monitor_items() {
    // The seeds' list, in its order, plus the two 无效地址 items its console shows.
    static const MonitorItemInfo items[] = {
        {MonitorItem::api_error_length, "api_error_length", "api", "WEB/API 错误-长度超限 QPS",
         "WEB/API errors: too long"},
        {MonitorItem::api_error_quota, "api_error_quota", "api", "WEB/API 错误-额度超限 QPS",
         "WEB/API errors: quota exceeded"},
        {MonitorItem::api_error_spam, "api_error_spam", "api", "WEB/API 错误-垃圾邮件 QPS",
         "WEB/API errors: spam"},
        {MonitorItem::api_error_invalid, "api_error_invalid", "api", "WEB/API 错误-无效地址 QPS",
         "WEB/API errors: invalid address"},
        {MonitorItem::api_success, "api_success", "api", "WEB/API 发信成功 QPS", "WEB/API sends accepted"},
        {MonitorItem::smtp_auth_failed, "smtp_auth_failed", "smtp", "SMTP 认证失败 QPS",
         "SMTP authentication failures"},
        {MonitorItem::smtp_auth_succeeded, "smtp_auth_succeeded", "smtp", "SMTP 认证成功 QPS",
         "SMTP authentications"},
        {MonitorItem::smtp_error_length, "smtp_error_length", "smtp", "SMTP 错误-长度超限 QPS",
         "SMTP errors: too long"},
        {MonitorItem::smtp_error_quota, "smtp_error_quota", "smtp", "SMTP 错误-额度超限 QPS",
         "SMTP errors: quota exceeded"},
        {MonitorItem::smtp_error_spam, "smtp_error_spam", "smtp", "SMTP 错误-垃圾邮件 QPS",
         "SMTP errors: spam"},
        {MonitorItem::smtp_error_invalid, "smtp_error_invalid", "smtp", "SMTP 错误-无效地址 QPS",
         "SMTP errors: invalid address"},
    };
    return items;
}

std::optional<MonitorItem> find_monitor_item(std::string_view key) {
    for (const auto& i : monitor_items())
        if (i.key == key) return i.item;
    return std::nullopt;
}

std::string_view monitor_key(MonitorItem item) {
    for (const auto& i : monitor_items())
        if (i.item == item) return i.key;
    return "";
}

void MonitorMeter::add(const std::string& account, MonitorItem item, std::int64_t now_ms, std::int64_t n) {
    if (account.empty() || n <= 0) return;
    const std::int64_t minute = now_ms - now_ms % kMinuteMs;
    std::lock_guard lock(mutex_);
    counts_[{account, item, minute}] += n;
}

std::vector<MonitorCount> MonitorMeter::take() {
    std::map<std::tuple<std::string, MonitorItem, std::int64_t>, std::int64_t> taken;
    {
        std::lock_guard lock(mutex_);
        taken.swap(counts_);
    }
    std::vector<MonitorCount> out;
    out.reserve(taken.size());
    for (auto& [key, n] : taken)
        out.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), n});
    return out;
}

void MonitorMeter::restore(const std::vector<MonitorCount>& counts) {
    std::lock_guard lock(mutex_);
    for (const auto& c : counts)
        counts_[{c.account, c.item, c.minute}] += c.count;
}

std::vector<MonitorCount> MonitorMeter::pending(const std::string& account) {
    std::lock_guard lock(mutex_);
    std::vector<MonitorCount> out;
    for (auto it = counts_.lower_bound({account, MonitorItem{}, std::numeric_limits<std::int64_t>::min()});
         it != counts_.end() && std::get<0>(it->first) == account; ++it)
        out.push_back({account, std::get<1>(it->first), std::get<2>(it->first), it->second});
    return out;
}

} // namespace mailpush::store
