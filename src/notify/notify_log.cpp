#include "mailpush/notify/notify_log.hpp"

#include "mailpush/common/calendar.hpp"
#include "mailpush/common/metrics.hpp"
#include "mailpush/common/random.hpp"
#include "mailpush/delivery/event_feed.hpp"
#include "mailpush/sqlite/sqlite.hpp"

#include <sqlite3.h>

#include <chrono>
#include <mutex>
#include <stdexcept>

namespace mailpush::notify {
using sqlite::Statement;

namespace {
// Where routed events went: a pull queue, a push target's outbox, or nowhere (no target, a
// filtered type, or the account's notifications off).
metrics::Counter& routed_to(const char* to) {
    return metrics::registry().counter("mailpush_notify_events_routed_total",
                                       "Delivery events routed by the notifier, by destination",
                                       {{"to", to}});
}

constexpr const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS notify_cursor (one INTEGER PRIMARY KEY CHECK (one = 1), event_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS notify_outbox (
  id INTEGER PRIMARY KEY, account TEXT NOT NULL, address TEXT NOT NULL, type TEXT NOT NULL, text TEXT NOT NULL,
  created_ms INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_ms INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS notify_outbox_due ON notify_outbox(next_ms);
CREATE TABLE IF NOT EXISTS notify_queue (
  id INTEGER PRIMARY KEY, account TEXT NOT NULL, type TEXT NOT NULL, text TEXT NOT NULL,
  enqueued_ms INTEGER NOT NULL, visible_ms INTEGER NOT NULL, receipt TEXT NOT NULL DEFAULT '',
  dequeue_count INTEGER NOT NULL DEFAULT 0, first_dequeue_ms INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS notify_queue_visible ON notify_queue(account, visible_ms);
)SQL";

RoutedEvent routed(const delivery::FinalEvent& e) {
    return {e.id, e.account, e.sender, event_type(e.text, e.status), e.text, e.ended_ms};
}
} // namespace

std::string event_type(std::string_view text, int status) {
    if (text.starts_with("event=Open&")) return "Deliver:Open";
    if (text.starts_with("event=Click&")) return "Deliver:Click";
    return status == 0 ? "Deliver:SendSuccessfully" : "Deliver:SendFailed";
}

std::int64_t unix_ms() {
    return common::unix_ms_now();
}

NotifyLog::NotifyLog(const std::string& path)
    : feed_(std::make_unique<delivery::EventFeed>(path))
    , routed_queue_(routed_to("queue"))
    , routed_push_(routed_to("push"))
    , routed_none_(routed_to("none")) {
    db_ = sqlite::open_database(path, sqlite::Access::read_write, "the notification log");
    sqlite::exec(db_, kSchema);
    // A new log starts at the newest event: history is not notified.
    Statement start(db_, "INSERT OR IGNORE INTO notify_cursor(one, event_id) VALUES(1, ?)");
    start.bind(1, feed_->last_event_id());
    start.step();
}

NotifyLog::~NotifyLog() {
    sqlite3_close(db_);
}

std::size_t NotifyLog::route(const Resolver& resolve, std::size_t limit, std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    std::int64_t cursor = 0;
    {
        Statement cur(db_, "SELECT event_id FROM notify_cursor");
        if (cur.step()) cursor = cur.integer(0);
    }
    const auto events = feed_->events_after(cursor, limit);
    if (events.empty()) return 0; // nothing new: no write (an idle server must not fsync)
    std::uint64_t to_queue = 0, to_push = 0, to_none = 0;
    sqlite::write_transaction(db_, [&] {
        to_queue = to_push = to_none = 0; // a retried transaction counts again
        for (const auto& e : events) {
            if (e.account.empty()) continue; // mail not sent for an account
            const RoutedEvent ev = routed(e);
            const auto dest = resolve(ev);
            if (!dest) {
                ++to_none;
                continue;
            }
            ++(dest->queue ? to_queue : to_push);
            if (dest->queue)
                insert_queued(ev.account, ev.type, ev.text, now_ms);
            else
                insert_outbox(ev.account, dest->address, ev.type, ev.text, now_ms);
        }
        Statement up(db_, "UPDATE notify_cursor SET event_id=?");
        up.bind(1, events.back().id);
        up.step();
    });
    routed_queue_.add(to_queue);
    routed_push_.add(to_push);
    routed_none_.add(to_none);
    return events.size();
}

std::vector<OutboxItem> NotifyLog::due(std::int64_t now_ms, std::size_t limit) {
    std::lock_guard lock(mutex_);
    Statement st(db_, "SELECT id, account, address, type, text, created_ms, attempts FROM notify_outbox "
                      "WHERE next_ms <= ? ORDER BY id LIMIT ?");
    st.bind(1, now_ms).bind(2, static_cast<std::int64_t>(limit));
    std::vector<OutboxItem> out;
    while (st.step())
        out.push_back({st.integer(0), st.text(1), st.text(2), st.text(3), st.text(4), st.integer(5),
                       static_cast<int>(st.integer(6))});
    return out;
}

void NotifyLog::acknowledge(const std::vector<std::int64_t>& ids) {
    std::lock_guard lock(mutex_);
    sqlite::write_transaction(db_, [&] {
        for (const auto id : ids) {
            Statement st(db_, "DELETE FROM notify_outbox WHERE id=?");
            st.bind(1, id);
            st.step();
        }
    });
}

void NotifyLog::reschedule(const std::vector<std::int64_t>& ids, std::int64_t next_ms,
                           const std::string& error) {
    std::lock_guard lock(mutex_);
    sqlite::write_transaction(db_, [&] {
        for (const auto id : ids) {
            Statement st(db_,
                         "UPDATE notify_outbox SET attempts=attempts+1, next_ms=?, last_error=? WHERE id=?");
            st.bind(1, next_ms).bind(2, error).bind(3, id);
            st.step();
        }
    });
}

std::size_t NotifyLog::outbox_size() {
    std::lock_guard lock(mutex_);
    Statement st(db_, "SELECT count(*) FROM notify_outbox");
    st.step();
    return static_cast<std::size_t>(st.integer(0));
}

std::vector<QueueMessage> NotifyLog::receive(const std::string& account, std::size_t max, std::int64_t now_ms,
                                             std::int64_t visibility_ms) {
    std::lock_guard lock(mutex_);
    std::vector<QueueMessage> out;
    sqlite::write_transaction(db_, [&] {
        Statement st(db_,
                     "SELECT id, type, text, enqueued_ms, dequeue_count, first_dequeue_ms FROM notify_queue "
                     "WHERE account=? AND visible_ms <= ? ORDER BY id LIMIT ?");
        st.bind(1, account).bind(2, now_ms).bind(3, static_cast<std::int64_t>(max));
        while (st.step()) {
            QueueMessage m;
            m.id = st.integer(0);
            m.type = st.text(1);
            m.text = st.text(2);
            m.enqueued_ms = st.integer(3);
            m.dequeue_count = static_cast<int>(st.integer(4)) + 1;
            m.first_dequeue_ms = st.integer(5) ? st.integer(5) : now_ms;
            m.next_visible_ms = now_ms + visibility_ms;
            m.receipt = std::to_string(m.id) + "-" + common::random_token(24);
            out.push_back(std::move(m));
        }
        for (const auto& m : out) {
            Statement up(
                db_, "UPDATE notify_queue SET visible_ms=?, receipt=?, dequeue_count=?, first_dequeue_ms=? "
                     "WHERE id=?");
            up.bind(1, m.next_visible_ms)
                .bind(2, m.receipt)
                .bind(3, static_cast<std::int64_t>(m.dequeue_count));
            up.bind(4, m.first_dequeue_ms).bind(5, m.id);
            up.step();
        }
    });
    return out;
}

std::vector<std::string> NotifyLog::remove(const std::string& account,
                                           const std::vector<std::string>& receipts) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> unmatched;
    sqlite::write_transaction(db_, [&] {
        for (const auto& r : receipts) {
            Statement st(db_, "DELETE FROM notify_queue WHERE account=? AND receipt=? AND receipt != ''");
            st.bind(1, account).bind(2, r);
            st.step();
            if (sqlite3_changes(db_) == 0) unmatched.push_back(r);
        }
    });
    return unmatched;
}

std::size_t NotifyLog::queue_size(const std::string& account) {
    std::lock_guard lock(mutex_);
    Statement st(db_, "SELECT count(*) FROM notify_queue WHERE account=?");
    st.bind(1, account);
    st.step();
    return static_cast<std::size_t>(st.integer(0));
}

void NotifyLog::insert_queued(const std::string& account, const std::string& type, const std::string& text,
                              std::int64_t now_ms) {
    Statement q(db_,
                "INSERT INTO notify_queue(account, type, text, enqueued_ms, visible_ms) VALUES(?,?,?,?,?)");
    q.bind(1, account).bind(2, type).bind(3, text).bind(4, now_ms).bind(5, now_ms);
    q.step();
}

void NotifyLog::enqueue(const std::string& account, const std::string& type, const std::string& text,
                        std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    insert_queued(account, type, text, now_ms);
}

void NotifyLog::deliver(const std::string& account, const Destination& destination, const std::string& type,
                        const std::string& text, std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    if (destination.queue)
        insert_queued(account, type, text, now_ms);
    else
        insert_outbox(account, destination.address, type, text, now_ms);
}

void NotifyLog::insert_outbox(const std::string& account, const std::string& address, const std::string& type,
                              const std::string& text, std::int64_t now_ms) {
    Statement o(db_, "INSERT INTO notify_outbox(account, address, type, text, created_ms, next_ms) "
                     "VALUES(?,?,?,?,?,?)");
    o.bind(1, account).bind(2, address).bind(3, type).bind(4, text);
    o.bind(5, now_ms).bind(6, now_ms);
    o.step();
}

std::size_t NotifyLog::prune(std::int64_t outbox_before_ms, std::int64_t queue_before_ms) {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    sqlite::write_transaction(db_, [&] {
        Statement o(db_, "DELETE FROM notify_outbox WHERE created_ms < ?");
        o.bind(1, outbox_before_ms);
        o.step();
        n += static_cast<std::size_t>(sqlite3_changes(db_));
        Statement q(db_, "DELETE FROM notify_queue WHERE enqueued_ms < ?");
        q.bind(1, queue_before_ms);
        q.step();
        n += static_cast<std::size_t>(sqlite3_changes(db_));
    });
    return n;
}

} // namespace mailpush::notify
