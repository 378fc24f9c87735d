// Event notifications (SPEC §7): a thread that routes new delivery events to their targets
// (NotifyLog::route) and pushes the outbox to HTTP targets, at least once: an item leaves the
// outbox only after a 2xx, else it is retried with a growing delay until it is too old.
#pragma once

#include "mailpush/notify/alarm_runner.hpp"
#include "mailpush/notify/http_post.hpp"
#include "mailpush/notify/notify_log.hpp"
#include "mailpush/notify/options.hpp"
#include "mailpush/store/store.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace mailpush::notify {

// The JSON body of one push (docs/notifications.md); pure, for tests.
std::string push_body(const std::vector<OutboxItem>& items);
// "sha256=" + hex HMAC-SHA256 of `body` under `secret`.
std::string push_signature(const std::string& secret, const std::string& body);
// Delay before attempt `attempts` + 1 of a failed push.
std::chrono::milliseconds push_retry_delay(int attempts, const NotifierOptions& options);

class Notifier {
public:
    using DirectorySource = std::function<std::shared_ptr<const store::Directory>()>;
    Notifier(NotifyLog& log, DirectorySource directory, NotifierOptions options);
    ~Notifier();
    Notifier(const Notifier&) = delete;
    Notifier& operator=(const Notifier&) = delete;

    // Alarm rules are evaluated on this thread too (before start()).
    void attach_alarms(AlarmRunner& alarms) { alarms_ = &alarms; }
    void start();
    void stop(); // finishes the POST in progress (bounded by push_timeout)

private:
    void run();
    bool push_due(std::int64_t now_ms); // true if it stopped at its bound (more may be due)

    NotifyLog& log_;
    DirectorySource directory_;
    NotifierOptions options_;
    HttpPoster poster_;
    AlarmRunner* alarms_ = nullptr;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

} // namespace mailpush::notify
