// The delivery log's final events as a feed, for a reader on another thread (the notifier):
// each event with the report row of its recipient, in the order they were written. Reads through
// a connection of its own, so it never sees a transaction of the delivery log half-done.
// Thread-safe. Open it after the DeliveryLog, which creates the tables.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

struct sqlite3;

namespace mailpush::delivery {

struct FinalEvent {
    std::int64_t id = 0; // grows with every event, also across pruning: a reader's cursor
    std::string account; // "" if the mail was not sent for an account (no report row)
    std::string sender;  // the sender address (the envelope's AUTH identity)
    int status = 0;      // the event's own: 0 delivered, 2 invalid address, 3 spam, 4 failed
    std::string text;    // the event string
    std::int64_t ended_ms = 0;
};

class EventFeed {
public:
    explicit EventFeed(const std::string& delivery_db_path);
    ~EventFeed();
    EventFeed(const EventFeed&) = delete;
    EventFeed& operator=(const EventFeed&) = delete;

    // Up to `limit` events with an id above `cursor`, oldest first.
    std::vector<FinalEvent> events_after(std::int64_t cursor, std::size_t limit);
    // The newest event's id, 0 if there is none.
    std::int64_t last_event_id();

private:
    sqlite3* db_ = nullptr;
    std::mutex mutex_;
};

} // namespace mailpush::delivery
