#include "mailpush/delivery/delivery_log.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/common/url.hpp"
#include "mailpush/sqlite/sqlite.hpp"

#include <map>
#include <optional>
#include <stdexcept>

namespace mailpush::delivery {
using sqlite::Statement;

namespace {
constexpr const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS recipients (
  envid INTEGER NOT NULL, idx INTEGER NOT NULL, address TEXT NOT NULL, state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL DEFAULT 0,
  last_reply TEXT NOT NULL DEFAULT '', failed_type TEXT NOT NULL DEFAULT '', status INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (envid, idx));
CREATE INDEX IF NOT EXISTS recipients_pending ON recipients(state) WHERE state IN ('queued','deferred');
CREATE TABLE IF NOT EXISTS attempts (
  envid INTEGER NOT NULL, idx INTEGER NOT NULL, started_ms INTEGER NOT NULL, ended_ms INTEGER NOT NULL,
  host TEXT NOT NULL, reply TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS attempts_envid ON attempts(envid);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY, envid INTEGER NOT NULL, idx INTEGER NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_envid ON events(envid);
CREATE TABLE IF NOT EXISTS reports (
  envid INTEGER NOT NULL, idx INTEGER NOT NULL, account TEXT NOT NULL, mail_from TEXT NOT NULL,
  rcpt TEXT NOT NULL, tag TEXT NOT NULL, subject TEXT NOT NULL, status INTEGER NOT NULL,
  failed_type TEXT NOT NULL, reply TEXT NOT NULL, ended_ms INTEGER NOT NULL, PRIMARY KEY (envid, idx));
CREATE INDEX IF NOT EXISTS reports_account_time ON reports(account, ended_ms);
DROP INDEX IF EXISTS reports_account_rcpt;
CREATE INDEX IF NOT EXISTS reports_account_rcpt_time ON reports(account, rcpt, ended_ms);
DROP INDEX IF EXISTS reports_account_status;
-- By result and time, covering what tracking statistics read (no row lookups per recipient).
CREATE INDEX IF NOT EXISTS reports_account_status_cover
  ON reports(account, status, ended_ms, envid, idx, mail_from, tag);
CREATE INDEX IF NOT EXISTS reports_account_tag ON reports(account, tag, ended_ms);
CREATE TABLE IF NOT EXISTS message_ids (
  msg_id TEXT NOT NULL, envid INTEGER NOT NULL, PRIMARY KEY (msg_id, envid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tracked (envid INTEGER PRIMARY KEY, links INTEGER NOT NULL, stored_ms INTEGER NOT NULL,
  host TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS tracked_links (
  envid INTEGER NOT NULL, link INTEGER NOT NULL, url TEXT NOT NULL, PRIMARY KEY (envid, link)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS track_hits (
  id INTEGER PRIMARY KEY, envid INTEGER NOT NULL, idx INTEGER NOT NULL, kind TEXT NOT NULL, link INTEGER NOT NULL,
  at_ms INTEGER NOT NULL, class TEXT NOT NULL, machine INTEGER NOT NULL, user_agent TEXT NOT NULL,
  client_ip TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS track_hits_rcpt ON track_hits(envid, idx);
CREATE TABLE IF NOT EXISTS held (envid INTEGER PRIMARY KEY, held_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS hard_bounces (
  account TEXT NOT NULL, address TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (account, address));
)SQL";

RcptState parse_state(const std::string& s) {
    if (s == "deferred") return RcptState::deferred;
    if (s == "delivered") return RcptState::delivered;
    if (s == "failed") return RcptState::failed;
    if (s == "expired") return RcptState::expired;
    return RcptState::queued;
}

RecipientRecord read_recipient(const Statement& st) {
    return {static_cast<std::uint64_t>(st.integer(0)),
            static_cast<int>(st.integer(1)),
            st.text(2),
            parse_state(st.text(3)),
            static_cast<int>(st.integer(4)),
            st.integer(5),
            st.text(6),
            st.text(7),
            static_cast<int>(st.integer(8))};
}
// The msg_id value of an event string (percent-decoded), "" if it has none.
std::string event_msg_id(std::string_view event) {
    const auto at = event.find("&msg_id=");
    if (at == std::string_view::npos) return {};
    auto v = event.substr(at + 8);
    v = v.substr(0, v.find('&'));
    return common::percent_decode(v, false);
}

constexpr const char* kRecipientColumns = "SELECT envid, idx, address, state, attempts, next_attempt_ms, "
                                          "last_reply, failed_type, status FROM recipients ";
} // namespace

// Notification routing (src/notify) writes this database through its own connection: every
// transaction here is a write_transaction.
namespace {
// The reports counted per account, 15-minute bucket, sender and tag, kept by triggers in the
// transaction that writes the report (a replaced report is taken out first: recursive_triggers),
// so a day's statistics read at most 96 rows per sender and tag instead of every report. Any
// time zone's day is whole buckets (offsets are multiples of 15 minutes).
constexpr std::int64_t kBucketMs = 900'000;
constexpr const char* kBucketSchema = R"SQL(
CREATE TABLE IF NOT EXISTS report_buckets (
  account TEXT NOT NULL, bucket_ms INTEGER NOT NULL, mail_from TEXT NOT NULL, tag TEXT NOT NULL,
  total INTEGER NOT NULL, delivered INTEGER NOT NULL, invalid INTEGER NOT NULL, spam INTEGER NOT NULL,
  failed INTEGER NOT NULL, PRIMARY KEY (account, bucket_ms, mail_from, tag)) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS reports_bucket_add AFTER INSERT ON reports BEGIN
  INSERT INTO report_buckets VALUES (NEW.account, NEW.ended_ms / 900000 * 900000, NEW.mail_from, NEW.tag, 1,
    NEW.status = 0, NEW.status = 2, NEW.status = 3, NEW.status = 4)
  ON CONFLICT (account, bucket_ms, mail_from, tag) DO UPDATE SET total = total + 1,
    delivered = delivered + excluded.delivered, invalid = invalid + excluded.invalid,
    spam = spam + excluded.spam, failed = failed + excluded.failed;
END;
CREATE TRIGGER IF NOT EXISTS reports_bucket_remove AFTER DELETE ON reports BEGIN
  UPDATE report_buckets SET total = total - 1, delivered = delivered - (OLD.status = 0),
    invalid = invalid - (OLD.status = 2), spam = spam - (OLD.status = 3), failed = failed - (OLD.status = 4)
  WHERE account = OLD.account AND bucket_ms = OLD.ended_ms / 900000 * 900000 AND mail_from = OLD.mail_from
    AND tag = OLD.tag;
END;
)SQL";
} // namespace

DeliveryLog::DeliveryLog(const std::string& path) {
    db_ = sqlite::open_database(path, sqlite::Access::read_write, "the delivery log");
    exec("PRAGMA recursive_triggers=ON"); // INSERT OR REPLACE of a report runs the delete trigger
    exec(kSchema);
    // Columns added after the first release: older databases get them here.
    if (!sqlite::has_column(db_, "tracked", "host"))
        exec("ALTER TABLE tracked ADD COLUMN host TEXT NOT NULL DEFAULT ''");
    sqlite::write_transaction(db_, [&] {
        const bool fresh = !sqlite::has_table(db_, "report_buckets");
        exec(kBucketSchema);
        if (fresh) // a log of an older version: its reports counted once
            exec("INSERT INTO report_buckets SELECT account, ended_ms / 900000 * 900000, mail_from, tag, "
                 "count(*), "
                 "sum(status = 0), sum(status = 2), sum(status = 3), sum(status = 4) FROM reports GROUP BY "
                 "1, 2, 3, 4");
    });
}

// Compiling these (the reports' with its triggers) cost more than running them: made once, on the
// log's one thread, and reset for every row.
struct DeliveryLog::Statements {
    explicit Statements(sqlite3* db)
        : upsert(db,
                 "INSERT INTO recipients(envid, idx, address, state, attempts, next_attempt_ms, "
                 "last_reply, failed_type, status) VALUES(?,?,?,?,?,?,?,?,?) "
                 "ON CONFLICT(envid, idx) DO UPDATE SET state=excluded.state, attempts=excluded.attempts, "
                 "next_attempt_ms=excluded.next_attempt_ms, last_reply=excluded.last_reply, "
                 "failed_type=excluded.failed_type, status=excluded.status "
                 "WHERE recipients.state IN ('queued','deferred') OR excluded.state NOT IN "
                 "('queued','deferred')")
        , attempt(db,
                  "INSERT INTO attempts(envid, idx, started_ms, ended_ms, host, reply) VALUES(?,?,?,?,?,?)")
        , event(db, "INSERT INTO events(envid, idx, text) VALUES(?,?,?)")
        , report(db, "INSERT OR REPLACE INTO reports(envid, idx, account, mail_from, rcpt, tag, subject, "
                     "status, failed_type, reply, ended_ms) VALUES(?,?,?,?,?,?,?,?,?,?,?)")
        , msg_id(db, "INSERT OR IGNORE INTO message_ids(msg_id, envid) VALUES(?,?)") {}
    Statement upsert, attempt, event, report, msg_id;
};

DeliveryLog::~DeliveryLog() {
    statements_.reset(); // finalized before the connection closes
    sqlite3_close(db_);
}

void DeliveryLog::exec(const char* sql) {
    sqlite::exec(db_, sql);
}

void DeliveryLog::apply(const std::vector<RecipientUpdate>& updates) {
    if (!statements_) statements_ = std::make_unique<Statements>(db_);
    auto& [st, at, ev, rep, mid] = *statements_;
    sqlite::write_transaction(db_, [&] {
        for (const auto& u : updates) {
            const auto& r = u.record;
            // Upsert: a recipient's row may be written for the first time with its first result. A
            // final state is never turned back into a pending one (a result written late, after a
            // queue delete made the recipient final).
            st.reset()
                .bind(1, static_cast<std::int64_t>(r.envid))
                .bind(2, static_cast<std::int64_t>(r.idx))
                .bind(3, r.address)
                .bind(4, std::string(to_string(r.state)))
                .bind(5, static_cast<std::int64_t>(r.attempts))
                .bind(6, r.next_attempt_ms)
                .bind(7, r.last_reply)
                .bind(8, r.failed_type)
                .bind(9, static_cast<std::int64_t>(r.status));
            st.step();
            const auto& a = u.attempt;
            at.reset()
                .bind(1, static_cast<std::int64_t>(a.envid))
                .bind(2, static_cast<std::int64_t>(a.idx))
                .bind(3, a.started_ms)
                .bind(4, a.ended_ms)
                .bind(5, a.host)
                .bind(6, a.reply);
            at.step();
            if (u.event.empty()) continue;
            ev.reset()
                .bind(1, static_cast<std::int64_t>(r.envid))
                .bind(2, static_cast<std::int64_t>(r.idx))
                .bind(3, u.event);
            ev.step();
            const auto& rp = u.report;
            rep.reset().bind(1, static_cast<std::int64_t>(r.envid)).bind(2, static_cast<std::int64_t>(r.idx));
            // The reports are queried by a lower-case recipient (details, SenderStatisticsDetailByParam).
            rep.bind(3, rp.account)
                .bind(4, rp.mail_from)
                .bind(5, common::to_lower(r.address))
                .bind(6, rp.tag);
            rep.bind(7, rp.subject).bind(8, static_cast<std::int64_t>(r.status)).bind(9, r.failed_type);
            rep.bind(10, r.last_reply).bind(11, a.ended_ms);
            rep.step();
            // Inbound reports that carry only the returned Message-ID find the message here.
            if (const auto msg_id = event_msg_id(u.event); !msg_id.empty()) {
                mid.reset().bind(1, msg_id).bind(2, static_cast<std::int64_t>(r.envid));
                mid.step();
            }
        }
    });
    // Reset now, not at the next batch: a stepped statement would keep its read of the database.
    for (auto* used : {&st, &at, &ev, &rep, &mid})
        used->reset();
}

void DeliveryLog::upsert_recipients(const std::vector<RecipientRecord>& records) {
    sqlite::write_transaction(db_, [&] {
        for (const auto& r : records) {
            Statement st(db_, "INSERT INTO recipients(envid, idx, address, state, attempts, next_attempt_ms, "
                              "last_reply, failed_type, status) VALUES(?,?,?,?,?,?,?,?,?) "
                              "ON CONFLICT(envid, idx) DO UPDATE SET state=excluded.state, "
                              "next_attempt_ms=excluded.next_attempt_ms, last_reply=excluded.last_reply "
                              "WHERE state IN ('queued','deferred')");
            st.bind(1, static_cast<std::int64_t>(r.envid))
                .bind(2, static_cast<std::int64_t>(r.idx))
                .bind(3, r.address)
                .bind(4, std::string(to_string(r.state)))
                .bind(5, static_cast<std::int64_t>(r.attempts))
                .bind(6, r.next_attempt_ms)
                .bind(7, r.last_reply)
                .bind(8, r.failed_type)
                .bind(9, static_cast<std::int64_t>(r.status));
            st.step();
        }
    });
}

void DeliveryLog::set_next_attempt(std::uint64_t envid, std::int64_t next_attempt_ms) {
    Statement st(db_,
                 "UPDATE recipients SET next_attempt_ms=? WHERE envid=? AND state IN ('queued','deferred')");
    st.bind(1, next_attempt_ms).bind(2, static_cast<std::int64_t>(envid));
    st.step();
}

void DeliveryLog::set_held(std::uint64_t envid, bool held, std::int64_t now_ms) {
    Statement st(db_, held ? "INSERT OR IGNORE INTO held(envid, held_ms) VALUES(?,?)"
                           : "DELETE FROM held WHERE envid=?");
    st.bind(1, static_cast<std::int64_t>(envid));
    if (held) st.bind(2, now_ms);
    st.step();
}

std::vector<std::uint64_t> DeliveryLog::held() {
    Statement st(db_, "SELECT envid FROM held ORDER BY envid");
    std::vector<std::uint64_t> out;
    while (st.step())
        out.push_back(static_cast<std::uint64_t>(st.integer(0)));
    return out;
}

void DeliveryLog::mark_deleted(std::uint64_t envid, const std::vector<std::string>& addresses) {
    sqlite::write_transaction(db_, [&] {
        Statement unhold(db_, "DELETE FROM held WHERE envid=?");
        unhold.bind(1, static_cast<std::int64_t>(envid));
        unhold.step();
        for (std::size_t i = 0; i < addresses.size(); ++i) {
            Statement st(
                db_, "INSERT INTO recipients(envid, idx, address, state, last_reply, failed_type, status) "
                     "VALUES(?,?,?,'failed','deleted by the operator','Deleted',4) "
                     "ON CONFLICT(envid, idx) DO UPDATE SET state='failed', "
                     "last_reply='deleted by the operator', failed_type='Deleted', status=4 "
                     "WHERE state IN ('queued','deferred')");
            st.bind(1, static_cast<std::int64_t>(envid))
                .bind(2, static_cast<std::int64_t>(i))
                .bind(3, addresses[i]);
            st.step();
        }
    });
}

std::vector<RecipientRecord> DeliveryLog::pending() {
    Statement st(db_,
                 (std::string(kRecipientColumns) + "WHERE state IN ('queued','deferred') ORDER BY envid, idx")
                     .c_str());
    std::vector<RecipientRecord> out;
    while (st.step())
        out.push_back(read_recipient(st));
    return out;
}

std::vector<RecipientRecord> DeliveryLog::recipients(std::uint64_t envid) {
    Statement st(db_, (std::string(kRecipientColumns) + "WHERE envid=? ORDER BY idx").c_str());
    st.bind(1, static_cast<std::int64_t>(envid));
    std::vector<RecipientRecord> out;
    while (st.step())
        out.push_back(read_recipient(st));
    return out;
}

std::vector<RecipientRecord> DeliveryLog::recipients_of(const std::vector<std::uint64_t>& envids) {
    Statement st(db_, (std::string(kRecipientColumns) + "WHERE envid=? ORDER BY idx").c_str());
    std::vector<RecipientRecord> out;
    for (const auto envid : envids) {
        st.reset().bind(1, static_cast<std::int64_t>(envid));
        while (st.step())
            out.push_back(read_recipient(st));
    }
    return out;
}

std::vector<AttemptRecord> DeliveryLog::attempts(std::uint64_t envid) {
    Statement st(
        db_,
        "SELECT envid, idx, started_ms, ended_ms, host, reply FROM attempts WHERE envid=? ORDER BY rowid");
    st.bind(1, static_cast<std::int64_t>(envid));
    std::vector<AttemptRecord> out;
    while (st.step())
        out.push_back({static_cast<std::uint64_t>(st.integer(0)), static_cast<int>(st.integer(1)),
                       st.integer(2), st.integer(3), st.text(4), st.text(5)});
    return out;
}

std::vector<std::string> DeliveryLog::events(std::uint64_t envid) {
    Statement st(db_, "SELECT text FROM events WHERE envid=? ORDER BY id");
    st.bind(1, static_cast<std::int64_t>(envid));
    std::vector<std::string> out;
    while (st.step())
        out.push_back(st.text(0));
    return out;
}

int DeliveryLog::add_hard_bounce(const std::string& account, const std::string& address) {
    const auto addr = common::to_lower(address);
    Statement up(db_, "INSERT INTO hard_bounces(account, address, count) VALUES(?,?,1) "
                      "ON CONFLICT(account, address) DO UPDATE SET count=count+1");
    up.bind(1, account).bind(2, addr);
    up.step();
    Statement get(db_, "SELECT count FROM hard_bounces WHERE account=? AND address=?");
    get.bind(1, account).bind(2, addr);
    get.step();
    return static_cast<int>(get.integer(0));
}

std::size_t DeliveryLog::prune(std::int64_t before_ms, const std::function<bool(std::uint64_t)>& keep) {
    std::size_t forgotten = 0;
    sqlite::write_transaction(db_, [&] {
        exec("CREATE TEMP TABLE IF NOT EXISTS prune_envids (envid INTEGER PRIMARY KEY)");
        exec("DELETE FROM prune_envids");
        Statement pick(
            db_,
            "INSERT INTO prune_envids SELECT envid FROM attempts GROUP BY envid HAVING max(ended_ms) < ? "
            "EXCEPT SELECT envid FROM recipients WHERE state IN ('queued','deferred') "
            // The newest event stays: event ids are rowids, and notification routing
            // (src/notify) relies on them never being reused.
            "EXCEPT SELECT envid FROM (SELECT envid FROM events ORDER BY id DESC LIMIT 1)");
        pick.bind(1, before_ms);
        pick.step();
        forgotten = static_cast<std::size_t>(sqlite3_changes(db_));
        if (keep) {
            std::vector<std::int64_t> kept;
            for (Statement picked(db_, "SELECT envid FROM prune_envids"); picked.step();)
                if (keep(static_cast<std::uint64_t>(picked.integer(0)))) kept.push_back(picked.integer(0));
            Statement unpick(db_, "DELETE FROM prune_envids WHERE envid=?");
            for (const auto envid : kept)
                unpick.reset().bind(1, envid).step();
            forgotten -= kept.size();
        }
        for (const char* sql : {"DELETE FROM events WHERE envid IN (SELECT envid FROM prune_envids)",
                                "DELETE FROM attempts WHERE envid IN (SELECT envid FROM prune_envids)",
                                "DELETE FROM reports WHERE envid IN (SELECT envid FROM prune_envids)",
                                "DELETE FROM message_ids WHERE envid IN (SELECT envid FROM prune_envids)",
                                "DELETE FROM recipients WHERE envid IN (SELECT envid FROM prune_envids)",
                                "DELETE FROM held WHERE envid IN (SELECT envid FROM prune_envids)",
                                "DELETE FROM report_buckets WHERE total = 0"})
            exec(sql);
    });
    return forgotten;
}

std::vector<std::uint64_t> DeliveryLog::envids_by_message_id(const std::string& msg_id) {
    Statement st(db_, "SELECT envid FROM message_ids WHERE msg_id=? ORDER BY envid DESC LIMIT 16");
    st.bind(1, msg_id);
    std::vector<std::uint64_t> out;
    while (st.step())
        out.push_back(static_cast<std::uint64_t>(st.integer(0)));
    return out;
}

std::optional<SentRecipient> DeliveryLog::sent_recipient(std::uint64_t envid, const std::string& address) {
    Statement st(
        db_,
        (std::string(kRecipientColumns) + "WHERE envid=? AND lower(address)=? ORDER BY idx LIMIT 1").c_str());
    st.bind(1, static_cast<std::int64_t>(envid)).bind(2, common::to_lower(address));
    if (!st.step()) return std::nullopt;
    SentRecipient out;
    out.record = read_recipient(st);
    Statement rep(db_, "SELECT account, mail_from, rcpt, tag, subject, status, failed_type, reply, ended_ms "
                       "FROM reports WHERE envid=? AND idx=?");
    rep.bind(1, static_cast<std::int64_t>(envid)).bind(2, static_cast<std::int64_t>(out.record.idx));
    if (rep.step())
        out.report = {envid,
                      rep.text(0),
                      rep.text(1),
                      rep.text(2),
                      rep.text(3),
                      rep.text(4),
                      static_cast<int>(rep.integer(5)),
                      rep.text(6),
                      rep.text(7),
                      rep.integer(8)};
    Statement ev(db_, "SELECT text FROM events WHERE envid=? AND idx=? ORDER BY id DESC LIMIT 1");
    ev.bind(1, static_cast<std::int64_t>(envid)).bind(2, static_cast<std::int64_t>(out.record.idx));
    if (ev.step()) out.event = ev.text(0);
    return out;
}

bool DeliveryLog::had_mail(const std::string& account, const std::string& rcpt) {
    Statement st(db_, "SELECT 1 FROM reports WHERE account=? AND rcpt=? LIMIT 1");
    st.bind(1, account).bind(2, common::to_lower(rcpt));
    return st.step();
}

namespace {
// The WHERE of a details query with only the filters it has, so SQLite picks the index that fits
// (recipient, result or tag) instead of scanning the whole window.
std::string detail_where(const DetailQuery& q) {
    std::string w = " WHERE account=? AND ended_ms>=? AND ended_ms<?";
    if (!q.mail_from.empty()) w += " AND mail_from=?";
    if (!q.rcpt.empty()) w += " AND rcpt=?";
    if (!q.tag.empty()) w += " AND tag=?";
    if (q.status >= 0) w += " AND status=?";
    return w;
}

int bind_detail(Statement& st, const DetailQuery& q, std::int64_t from_ms, std::int64_t to_ms) {
    st.bind(1, q.account).bind(2, from_ms).bind(3, to_ms);
    int i = 4;
    if (!q.mail_from.empty()) st.bind(i++, q.mail_from);
    if (!q.rcpt.empty()) st.bind(i++, q.rcpt);
    if (!q.tag.empty()) st.bind(i++, q.tag);
    if (q.status >= 0) st.bind(i++, std::int64_t{q.status});
    return i;
}

// [from, to) split into whole buckets [first, last) and the edges around them (first >= last:
// no whole bucket, all of it is edge).
struct Window {
    std::int64_t first, last;
};
Window whole_buckets(std::int64_t from_ms, std::int64_t to_ms) {
    from_ms = std::max<std::int64_t>(from_ms, 0);
    return {from_ms + (kBucketMs - from_ms % kBucketMs) % kBucketMs, to_ms - to_ms % kBucketMs};
}

// The bucket column that counts a result, or nullptr for a status the buckets do not split out.
const char* status_column(int status) {
    switch (status) {
    case 0:
        return "delivered";
    case 2:
        return "invalid";
    case 3:
        return "spam";
    case 4:
        return "failed";
    default:
        return nullptr;
    }
}
} // namespace

std::vector<ReportRow> DeliveryLog::details(const DetailQuery& q) {
    Statement st(
        db_, (std::string("SELECT envid, account, mail_from, rcpt, tag, subject, status, failed_type, reply, "
                          "ended_ms FROM reports") +
              detail_where(q) + " ORDER BY ended_ms DESC, envid DESC, idx LIMIT ? OFFSET ?")
                 .c_str());
    const int i = bind_detail(st, q, q.from_ms, q.to_ms);
    st.bind(i, static_cast<std::int64_t>(q.limit)).bind(i + 1, static_cast<std::int64_t>(q.offset));
    std::vector<ReportRow> out;
    while (st.step())
        out.push_back({static_cast<std::uint64_t>(st.integer(0)), st.text(1), st.text(2), st.text(3),
                       st.text(4), st.text(5), static_cast<int>(st.integer(6)), st.text(7), st.text(8),
                       st.integer(9)});
    return out;
}

std::int64_t DeliveryLog::count_details(const DetailQuery& q) {
    auto count_reports = [&](std::int64_t from_ms, std::int64_t to_ms) {
        Statement st(db_, (std::string("SELECT count(*) FROM reports") + detail_where(q)).c_str());
        bind_detail(st, q, from_ms, to_ms);
        st.step();
        return st.integer(0);
    };
    const auto w = whole_buckets(q.from_ms, q.to_ms);
    const char* column = q.status < 0 ? "total" : status_column(q.status);
    // A recipient has few reports: its index answers at once. Otherwise the buckets count the
    // whole ones and the reports only the edges.
    if (!q.rcpt.empty() || !column || w.first >= w.last) return count_reports(q.from_ms, q.to_ms);
    Statement st(db_, (std::string("SELECT coalesce(sum(") + column +
                       "), 0) FROM report_buckets WHERE account=? AND bucket_ms>=? AND bucket_ms<? "
                       "AND (?='' OR mail_from=?) AND (?='' OR tag=?)")
                          .c_str());
    st.bind(1, q.account).bind(2, w.first).bind(3, w.last);
    st.bind(4, q.mail_from).bind(5, q.mail_from).bind(6, q.tag).bind(7, q.tag);
    st.step();
    return st.integer(0) + count_reports(q.from_ms, w.first) + count_reports(w.last, q.to_ms);
}

std::vector<StatRow> DeliveryLog::stats(const StatQuery& q) {
    // The day is local to the configured offset, like event times and quota days.
    auto key = [&](const char* time_ms) {
        return q.group == "sender" ? std::string("mail_from")
               : q.group == "tag"  ? std::string("tag")
                                   : "date(" + std::string(time_ms) + " / 1000 + ?, 'unixepoch')";
    };
    std::map<std::string, StatRow> rows;
    auto collect = [&](const std::string& sql, std::int64_t from_ms, std::int64_t to_ms) {
        if (from_ms >= to_ms) return;
        Statement st(db_, sql.c_str());
        int i = 1;
        if (q.group != "sender" && q.group != "tag") st.bind(i++, std::int64_t{q.utc_offset_minutes} * 60);
        st.bind(i, q.account).bind(i + 1, from_ms).bind(i + 2, to_ms);
        st.bind(i + 3, q.mail_from).bind(i + 4, q.mail_from).bind(i + 5, q.tag).bind(i + 6, q.tag);
        while (st.step()) {
            auto& r = rows[st.text(0)];
            r.key = st.text(0);
            r.total += st.integer(1);
            r.delivered += st.integer(2);
            r.invalid += st.integer(3);
            r.spam += st.integer(4);
            r.failed += st.integer(5);
        }
    };
    const std::string filters = "AND (?='' OR mail_from=?) AND (?='' OR tag=?) GROUP BY 1";
    const std::string from_reports = "SELECT " + key("ended_ms") +
                                     ", count(*), sum(status=0), sum(status=2), sum(status=3), sum(status=4) "
                                     "FROM reports WHERE account=? AND ended_ms>=? AND ended_ms<? " +
                                     filters;
    const std::string from_buckets = "SELECT " + key("bucket_ms") +
                                     ", sum(total), sum(delivered), sum(invalid), sum(spam), sum(failed) "
                                     "FROM report_buckets WHERE account=? AND bucket_ms>=? AND bucket_ms<? " +
                                     filters;
    const auto w = whole_buckets(q.from_ms, q.to_ms);
    if (w.first >= w.last) {
        collect(from_reports, q.from_ms, q.to_ms);
    } else {
        collect(from_reports, q.from_ms, w.first);
        collect(from_buckets, w.first, w.last);
        collect(from_reports, w.last, q.to_ms);
    }
    std::vector<StatRow> out;
    for (auto& [k, r] : rows)
        if (r.total > 0) out.push_back(std::move(r));
    return out;
}

} // namespace mailpush::delivery
