#include "mailpush/notify/notifier.hpp"

#include "mailpush/common/backoff.hpp"
#include "mailpush/common/digest.hpp"
#include "mailpush/common/http_url.hpp"
#include "mailpush/common/metrics.hpp"
#include "mailpush/notify/http_post.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

namespace mailpush::notify {
namespace {

metrics::Counter& pushed(const char* result) {
    return metrics::registry().counter("mailpush_notifications_pushed_total",
                                       "Notification events pushed to HTTP targets, by result",
                                       {{"result", result}});
}
} // namespace

std::string push_body(const std::vector<OutboxItem>& items) {
    auto events = nlohmann::json::array();
    for (const auto& i : items)
        events.push_back({{"id", i.id}, {"type", i.type}, {"message", i.text}, {"attempt", i.attempts + 1}});
    return nlohmann::json{{"events", std::move(events)}}.dump();
}

std::string push_signature(const std::string& secret, const std::string& body) {
    return "sha256=" + common::to_hex(common::hmac_sha256(secret, body));
}

std::chrono::milliseconds push_retry_delay(int attempts, const NotifierOptions& options) {
    const common::Backoff backoff{options.retry_initial, options.retry_max};
    return backoff.delay(static_cast<unsigned>(std::max(attempts, 0)) + 1);
}

Notifier::Notifier(NotifyLog& log, DirectorySource directory, NotifierOptions options)
    : log_(log)
    , directory_(std::move(directory))
    , options_(options)
    , poster_(PostOptions{options.push_timeout, options.ca_file, options.allow_private_targets}) {}

Notifier::~Notifier() {
    stop();
}

void Notifier::start() {
    thread_ = std::thread([this] { run(); });
}

void Notifier::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void Notifier::run() {
    auto last_prune = std::chrono::steady_clock::time_point{};
    bool backlog = false; // the last round stopped at a bound: go again without waiting
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            if (wake_.wait_for(lock, backlog ? std::chrono::milliseconds(0) : options_.poll,
                               [this] { return stopping_; }))
                return;
        }
        backlog = false;
        try {
            const auto dir = directory_();
            const Resolver resolve = [&dir](const RoutedEvent& ev) -> std::optional<Destination> {
                if (const auto* a = dir->account(ev.account); a && !a->events_enabled) return std::nullopt;
                const auto* target = dir->notify_target(ev.account, ev.sender);
                if (!target || !target->wants(ev.type)) return std::nullopt;
                return Destination{target->target == "queue", target->address};
            };
            // Bounded per wake-up, so stop() is never kept waiting long.
            int rounds = 0;
            while (log_.route(resolve, 500, unix_ms()) == 500 && !(backlog = ++rounds == 20)) {
            }
            if (alarms_) alarms_->run(unix_ms()); // its events are pushed in the next round
            if (push_due(unix_ms())) backlog = true;
            if (std::chrono::steady_clock::now() - last_prune > std::chrono::minutes(1)) {
                last_prune = std::chrono::steady_clock::now();
                const auto t = unix_ms();
                if (const auto n = log_.prune(t - options_.push_max_lifetime.count(),
                                              t - options_.queue_retention.count()))
                    spdlog::warn("notify.prune dropped={} reason=too_old", n);
            }
        } catch (const std::exception& e) {
            spdlog::error("notify.error error=\"{}\"", e.what());
        }
    }
}

bool Notifier::push_due(std::int64_t now) {
    const auto limit = 10 * options_.batch;
    const auto items = log_.due(now, limit);
    if (items.empty()) return false;
    const auto dir = directory_();
    std::map<const store::NotifyTarget*, std::vector<OutboxItem>> by_target;
    std::vector<std::int64_t> dropped;
    for (const auto& item : items) {
        const auto it = dir->notify.find(item.account + '\n' + item.address);
        // The target was removed, or now wants the queue or not this type: nothing to push to.
        if (it == dir->notify.end() || it->second.target == "queue" || !it->second.wants(item.type))
            dropped.push_back(item.id);
        else
            by_target[&it->second].push_back(item);
    }
    if (!dropped.empty()) {
        log_.acknowledge(dropped);
        spdlog::warn("notify.drop count={} reason=target_changed", dropped.size());
    }
    for (auto& [target_ptr, list] : by_target) {
        const auto& target = *target_ptr;
        for (std::size_t start = 0; start < list.size(); start += options_.batch) {
            {
                std::lock_guard lock(mutex_);
                if (stopping_) return false;
            }
            const std::vector<OutboxItem> batch(
                list.begin() + static_cast<std::ptrdiff_t>(start),
                list.begin() + static_cast<std::ptrdiff_t>(std::min(list.size(), start + options_.batch)));
            const auto body = push_body(batch);
            std::vector<std::pair<std::string, std::string>> headers;
            if (!target.secret.empty())
                headers.emplace_back("X-Mailpush-Signature", push_signature(target.secret, body));
            const auto result = poster_.post(target.target, "application/json", body, headers);
            std::vector<std::int64_t> ids;
            int attempts = 0;
            for (const auto& i : batch) {
                ids.push_back(i.id);
                attempts = std::max(attempts, i.attempts);
            }
            if (result.ok) {
                log_.acknowledge(ids);
                pushed("ok").add(ids.size());
            } else {
                // The endpoint is failing: the rest of this round's events for it wait too.
                for (std::size_t i = start + batch.size(); i < list.size(); ++i) {
                    ids.push_back(list[i].id);
                    attempts = std::max(attempts, list[i].attempts);
                }
                // A refused target is retried like a failing one: its DNS or the config may change.
                log_.reschedule(ids, unix_ms() + push_retry_delay(attempts, options_).count(), result.error);
                pushed(result.refused ? "refused" : "retry").add(ids.size());
                spdlog::warn("notify.{} account={} address={} url={} events={} error=\"{}\"",
                             result.refused ? "push_refused" : "push_failed", target.account, target.address,
                             common::url_for_log(target.target), ids.size(), result.error);
                break;
            }
        }
    }
    return items.size() == limit;
}

} // namespace mailpush::notify
