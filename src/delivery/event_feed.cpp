#include "mailpush/delivery/event_feed.hpp"

#include "mailpush/sqlite/sqlite.hpp"

#include <stdexcept>

namespace mailpush::delivery {
using sqlite::Statement;

namespace {
// The event's own status (its "&status=N&" key): the report row holds only the newest result,
// and a later event on the same recipient (an inbound bounce or complaint) changes it.
int event_status(const std::string& text, int report_status) {
    const auto at = text.find("&status=");
    if (at == std::string::npos || at + 8 >= text.size()) return report_status;
    const char c = text[at + 8];
    return c >= '0' && c <= '9' ? c - '0' : report_status;
}
} // namespace

EventFeed::EventFeed(const std::string& path) {
    db_ = sqlite::open_database(path, sqlite::Access::read_only, "the delivery log's events");
}

EventFeed::~EventFeed() {
    sqlite3_close(db_);
}

std::vector<FinalEvent> EventFeed::events_after(std::int64_t cursor, std::size_t limit) {
    std::lock_guard lock(mutex_);
    Statement st(db_, "SELECT e.id, r.account, r.mail_from, r.status, e.text, r.ended_ms FROM events e "
                      "LEFT JOIN reports r ON r.envid=e.envid AND r.idx=e.idx WHERE e.id > ? "
                      "ORDER BY e.id LIMIT ?");
    st.bind(1, cursor).bind(2, static_cast<std::int64_t>(limit));
    std::vector<FinalEvent> out;
    while (st.step()) {
        std::string text = st.text(4);
        const int status = event_status(text, static_cast<int>(st.integer(3)));
        out.push_back({st.integer(0), st.text(1), st.text(2), status, std::move(text), st.integer(5)});
    }
    return out;
}

std::int64_t EventFeed::last_event_id() {
    std::lock_guard lock(mutex_);
    Statement st(db_, "SELECT coalesce(max(id), 0) FROM events");
    return st.step() ? st.integer(0) : 0;
}

} // namespace mailpush::delivery
