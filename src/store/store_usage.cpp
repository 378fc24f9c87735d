// Quotas (settings and persisted usage counts) and batch send tasks.
#include "mailpush/common/calendar.hpp"
#include "mailpush/sqlite/sqlite.hpp"
#include "mailpush/store/store.hpp"

#include <ctime>

namespace mailpush::store {
using sqlite::Statement;

Account Store::set_account_quota(const std::string& name, std::optional<std::int64_t> daily,
                                 std::optional<std::int64_t> monthly) {
    if ((daily && (*daily < 0 || *daily > 1'000'000'000)) ||
        (monthly && (*monthly < 0 || *monthly > 30'000'000'000)))
        throw StoreError(ErrorKind::invalid, "quotas must be between 0 and 10^9 (daily), 3*10^10 (monthly)");
    {
        std::lock_guard lock(db_mutex_);
        const auto id = account_id(name);
        if (daily) {
            Statement st(db_, "UPDATE accounts SET daily_quota=? WHERE id=?");
            st.bind(1, *daily).bind(2, id);
            st.step();
        }
        if (monthly) {
            Statement st(db_, "UPDATE accounts SET monthly_quota=? WHERE id=?");
            st.bind(1, *monthly).bind(2, id);
            st.step();
        }
    }
    refresh_directory();
    return get_account(name);
}

// Today's and this month's counts into the meter (start-up).
void Store::load_usage() {
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    const std::string day = local_day(now, limits_.utc_offset_minutes);
    std::lock_guard lock(db_mutex_);
    Statement st(
        db_, "SELECT a.name, coalesce(sum(CASE WHEN u.day=? THEN u.count END),0), coalesce(sum(u.count),0) "
             "FROM usage u JOIN accounts a ON a.id=u.account_id WHERE substr(u.day,1,7)=? GROUP BY a.name");
    st.bind(1, day).bind(2, day.substr(0, 7));
    while (st.step())
        quota_.load(st.text(0), day, st.integer(1), st.integer(2));
}

void Store::flush_usage() {
    flush_blocks();
    flush_monitor(common::unix_ms_now());
    auto deltas = quota_.take_deltas();
    if (deltas.empty()) return;
    std::lock_guard lock(db_mutex_);
    transaction([&] {
        for (const auto& d : deltas) {
            Statement st(
                db_, "INSERT INTO usage(account_id, day, count) SELECT id, ?, ? FROM accounts WHERE name=? "
                     "ON CONFLICT(account_id, day) DO UPDATE SET count=count+excluded.count");
            st.bind(1, d.day).bind(2, d.count).bind(3, d.account);
            st.step();
        }
    });
}

Usage Store::usage(const std::string& account, std::int64_t now_s) {
    return quota_.usage(account, now_s);
}

SendTask Store::add_task(const SendTask& t) {
    std::lock_guard lock(db_mutex_);
    const auto id = account_id(t.account);
    Statement st(db_,
                 "INSERT INTO send_tasks(account_id,address,address_type,template,receivers,tag,status,total,"
                 "queued,skipped,track) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    st.bind(1, id).bind(2, t.address).bind(3, std::int64_t{t.address_type}).bind(4, t.template_name);
    st.bind(5, t.receivers)
        .bind(6, t.tag)
        .bind(7, t.status)
        .bind(8, t.total)
        .bind(9, t.queued)
        .bind(10, t.skipped)
        .bind(11, std::int64_t{t.track});
    st.step();
    SendTask out = t;
    out.id = sqlite3_last_insert_rowid(db_);
    return out;
}

SendTask Store::finish_task(std::int64_t id, std::int64_t queued, std::int64_t skipped,
                            const std::string& status) {
    {
        std::lock_guard lock(db_mutex_);
        Statement st(db_, "UPDATE send_tasks SET queued=?, skipped=?, status=? WHERE id=?");
        st.bind(1, queued).bind(2, skipped).bind(3, status).bind(4, id);
        st.step();
    }
    for (auto& t : list_tasks(""))
        if (t.id == id) return t;
    throw StoreError(ErrorKind::not_found, "no such task: " + std::to_string(id));
}

std::vector<SendTask> Store::list_tasks(const std::string& account_filter) {
    std::lock_guard lock(db_mutex_);
    Statement st(db_,
                 "SELECT t.id,a.name,t.address,t.address_type,t.template,t.receivers,t.tag,t.status,t.total,"
                 "t.queued,t.skipped,t.detail,t.created_at,t.track FROM send_tasks t JOIN accounts a ON "
                 "a.id=t.account_id "
                 "WHERE ?='' OR a.name=? ORDER BY t.id DESC");
    st.bind(1, account_filter).bind(2, account_filter);
    std::vector<SendTask> out;
    while (st.step())
        out.push_back({st.integer(0), st.text(1), st.text(2), static_cast<int>(st.integer(3)), st.text(4),
                       st.text(5), st.text(6), st.text(7), st.integer(8), st.integer(9), st.integer(10),
                       st.text(11), st.text(12), st.integer(13) != 0});
    return out;
}

} // namespace mailpush::store
