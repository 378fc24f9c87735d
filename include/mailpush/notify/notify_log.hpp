// The durable side of event notifications, in the delivery log's database (tables of its own):
// - routing: the delivery log's final events past a cursor (read through delivery::EventFeed)
//   are copied, once, to a push outbox or an account's pull queue, in the same transaction that
//   advances the cursor;
// - the push outbox: due items, acknowledged (deleted) after a 2xx, else rescheduled;
// - the pull queue: receive hides messages for a visibility timeout under a new receipt handle;
//   delete needs the latest handle; a message not deleted becomes visible again.
// Thread-safe (one SQLite connection of its own, serialized). Open it after the DeliveryLog,
// which creates the tables the feed reads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace mailpush::delivery {
class EventFeed;
}

namespace mailpush::metrics {
class Counter;
}

namespace mailpush::notify {

// Milliseconds since the epoch: the clock of routing, pushing and the queue.
std::int64_t unix_ms();

// The notification type of an event string: Deliver:Open / Deliver:Click for tracking events
// ("event=Open&…", "event=Click&…"), else Deliver:SendSuccessfully for status 0 and
// Deliver:SendFailed otherwise (`status` is the event's own). Pure.
std::string event_type(std::string_view text, int status);

// One delivery event as routing sees it.
struct RoutedEvent {
    std::int64_t id = 0;
    std::string account;
    std::string sender; // the sender address (AUTH user)
    std::string type;   // "Deliver:SendSuccessfully", ...
    std::string text;   // the event's key=value string
    std::int64_t time_ms = 0;
};

// Where routing puts an event: the account's pull queue, or the push outbox of the target set
// for (account, address) — address "" for the account-level one. The outbox keeps the target's
// key, not its URL, so pending events follow a corrected URL.
struct Destination {
    bool queue = false;
    std::string address;
};
using Resolver = std::function<std::optional<Destination>(const RoutedEvent&)>;

struct OutboxItem {
    std::int64_t id = 0;
    std::string account;
    std::string address; // the target's key with `account`
    std::string type;
    std::string text;
    std::int64_t created_ms = 0;
    int attempts = 0;
};

struct QueueMessage {
    std::int64_t id = 0;
    std::string type;
    std::string text;
    std::string receipt;
    std::int64_t enqueued_ms = 0;
    std::int64_t first_dequeue_ms = 0;
    std::int64_t next_visible_ms = 0;
    int dequeue_count = 0;
};

class NotifyLog {
public:
    explicit NotifyLog(const std::string& delivery_db_path);
    ~NotifyLog();
    NotifyLog(const NotifyLog&) = delete;
    NotifyLog& operator=(const NotifyLog&) = delete;

    // Routes up to `limit` events after the cursor; returns how many it read (0: caught up).
    // A new log starts its cursor at the newest event: history is not notified.
    std::size_t route(const Resolver& resolve, std::size_t limit, std::int64_t now_ms);

    std::vector<OutboxItem> due(std::int64_t now_ms, std::size_t limit);
    void acknowledge(const std::vector<std::int64_t>& ids);
    void reschedule(const std::vector<std::int64_t>& ids, std::int64_t next_ms, const std::string& error);
    std::size_t outbox_size();

    std::vector<QueueMessage> receive(const std::string& account, std::size_t max, std::int64_t now_ms,
                                      std::int64_t visibility_ms);
    // Deletes the messages whose current receipt is given; returns the receipts that matched none.
    std::vector<std::string> remove(const std::string& account, const std::vector<std::string>& receipts);
    std::size_t queue_size(const std::string& account);
    // Puts one message in the account's pull queue (a test event).
    void enqueue(const std::string& account, const std::string& type, const std::string& text,
                 std::int64_t now_ms);
    // One event that is not a delivery event (an alarm) to its destination: the pull queue, or
    // the push outbox of the target (account, destination.address), pushed as routed events are.
    void deliver(const std::string& account, const Destination& destination, const std::string& type,
                 const std::string& text, std::int64_t now_ms);

    // Drops outbox items created before `outbox_before_ms` and queue messages enqueued before
    // `queue_before_ms`; returns how many.
    std::size_t prune(std::int64_t outbox_before_ms, std::int64_t queue_before_ms);

private:
    void insert_queued(const std::string& account, const std::string& type, const std::string& text,
                       std::int64_t now_ms); // with mutex_ held
    void insert_outbox(const std::string& account, const std::string& address, const std::string& type,
                       const std::string& text, std::int64_t now_ms); // with mutex_ held
    std::unique_ptr<delivery::EventFeed> feed_;
    // Where routed events went. Registered at construction: route() only adds (lock-free), never
    // takes the registry's lock under mutex_ (a scrape holds it while the outbox gauge takes mutex_).
    metrics::Counter& routed_queue_;
    metrics::Counter& routed_push_;
    metrics::Counter& routed_none_;
    sqlite3* db_ = nullptr;
    std::mutex mutex_; // transactions on the one connection must not interleave
};

} // namespace mailpush::notify
