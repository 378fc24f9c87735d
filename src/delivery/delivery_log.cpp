#include "mailpush/delivery/delivery_log.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/common/url.hpp"
#include "mailpush/sqlite/sqlite.hpp"

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
CREATE INDEX IF NOT EXISTS reports_account_rcpt ON reports(account, rcpt);
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
DeliveryLog::DeliveryLog(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK)
        throw std::runtime_error("cannot open delivery log " + path);
    sqlite3_busy_timeout(db_, 5000);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=FULL");
    exec(kSchema);
    // Columns added after the first release: older databases get them here.
    if (!sqlite::has_column(db_, "tracked", "host"))
        exec("ALTER TABLE tracked ADD COLUMN host TEXT NOT NULL DEFAULT ''");
}

DeliveryLog::~DeliveryLog() {
    sqlite3_close(db_);
}

void DeliveryLog::exec(const char* sql) {
    sqlite::exec(db_, sql);
}

void DeliveryLog::ensure_recipients(std::uint64_t envid, const std::vector<std::string>& addresses) {
    sqlite::write_transaction(db_, [&] {
        for (std::size_t i = 0; i < addresses.size(); ++i) {
            Statement st(
                db_, "INSERT OR IGNORE INTO recipients(envid, idx, address, state) VALUES(?,?,?,'queued')");
            st.bind(1, static_cast<std::int64_t>(envid))
                .bind(2, static_cast<std::int64_t>(i))
                .bind(3, addresses[i]);
            st.step();
        }
    });
}

void DeliveryLog::apply(const std::vector<RecipientUpdate>& updates) {
    sqlite::write_transaction(db_, [&] {
        for (const auto& u : updates) {
            const auto& r = u.record;
            // Upsert: a recipient's row may be written for the first time with its first result.
            Statement st(
                db_,
                "INSERT INTO recipients(envid, idx, address, state, attempts, next_attempt_ms, "
                "last_reply, failed_type, status) VALUES(?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(envid, idx) DO UPDATE SET state=excluded.state, attempts=excluded.attempts, "
                "next_attempt_ms=excluded.next_attempt_ms, last_reply=excluded.last_reply, "
                "failed_type=excluded.failed_type, status=excluded.status");
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
            const auto& a = u.attempt;
            Statement at(
                db_,
                "INSERT INTO attempts(envid, idx, started_ms, ended_ms, host, reply) VALUES(?,?,?,?,?,?)");
            at.bind(1, static_cast<std::int64_t>(a.envid))
                .bind(2, static_cast<std::int64_t>(a.idx))
                .bind(3, a.started_ms)
                .bind(4, a.ended_ms)
                .bind(5, a.host)
                .bind(6, a.reply);
            at.step();
            if (!u.event.empty()) {
                Statement ev(db_, "INSERT INTO events(envid, idx, text) VALUES(?,?,?)");
                ev.bind(1, static_cast<std::int64_t>(r.envid))
                    .bind(2, static_cast<std::int64_t>(r.idx))
                    .bind(3, u.event);
                ev.step();
                const auto& rp = u.report;
                Statement rep(
                    db_, "INSERT OR REPLACE INTO reports(envid, idx, account, mail_from, rcpt, tag, subject, "
                         "status, failed_type, reply, ended_ms) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
                rep.bind(1, static_cast<std::int64_t>(r.envid)).bind(2, static_cast<std::int64_t>(r.idx));
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
                    Statement mid(db_, "INSERT OR IGNORE INTO message_ids(msg_id, envid) VALUES(?,?)");
                    mid.bind(1, msg_id).bind(2, static_cast<std::int64_t>(r.envid));
                    mid.step();
                }
            }
        }
    });
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

void DeliveryLog::mark_deleted(std::uint64_t envid, const std::vector<std::string>& addresses) {
    sqlite::write_transaction(db_, [&] {
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

std::size_t DeliveryLog::prune(std::int64_t before_ms) {
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
        for (const char* sql : {"DELETE FROM events WHERE envid IN (SELECT envid FROM prune_envids)",
                                "DELETE FROM attempts WHERE envid IN (SELECT envid FROM prune_envids)",
                                "DELETE FROM reports WHERE envid IN (SELECT envid FROM prune_envids)",
                                "DELETE FROM message_ids WHERE envid IN (SELECT envid FROM prune_envids)",
                                "DELETE FROM recipients WHERE envid IN (SELECT envid FROM prune_envids)"})
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
// The WHERE clause shared by the detail queries; parameters bound in this order.
constexpr const char* kDetailWhere =
    " WHERE account=? AND ended_ms>=? AND ended_ms<? AND (?='' OR mail_from=?) AND (?='' OR rcpt=?) "
    "AND (?='' OR tag=?) AND (?<0 OR status=?)";

void bind_detail(Statement& st, const DetailQuery& q) {
    st.bind(1, q.account).bind(2, q.from_ms).bind(3, q.to_ms);
    st.bind(4, q.mail_from)
        .bind(5, q.mail_from)
        .bind(6, q.rcpt)
        .bind(7, q.rcpt)
        .bind(8, q.tag)
        .bind(9, q.tag);
    st.bind(10, std::int64_t{q.status}).bind(11, std::int64_t{q.status});
}
} // namespace

std::vector<ReportRow> DeliveryLog::details(const DetailQuery& q) {
    Statement st(
        db_, (std::string("SELECT envid, account, mail_from, rcpt, tag, subject, status, failed_type, reply, "
                          "ended_ms FROM reports") +
              kDetailWhere + " ORDER BY ended_ms DESC, envid DESC, idx LIMIT ? OFFSET ?")
                 .c_str());
    bind_detail(st, q);
    st.bind(12, static_cast<std::int64_t>(q.limit)).bind(13, static_cast<std::int64_t>(q.offset));
    std::vector<ReportRow> out;
    while (st.step())
        out.push_back({static_cast<std::uint64_t>(st.integer(0)), st.text(1), st.text(2), st.text(3),
                       st.text(4), st.text(5), static_cast<int>(st.integer(6)), st.text(7), st.text(8),
                       st.integer(9)});
    return out;
}

std::int64_t DeliveryLog::count_details(const DetailQuery& q) {
    Statement st(db_, (std::string("SELECT count(*) FROM reports") + kDetailWhere).c_str());
    bind_detail(st, q);
    st.step();
    return st.integer(0);
}

std::vector<StatRow> DeliveryLog::stats(const StatQuery& q) {
    // The day is local to the configured offset, like event times and quota days.
    const std::string key = q.group == "sender" ? "mail_from"
                            : q.group == "tag"  ? "tag"
                                                : "date(ended_ms / 1000 + ?, 'unixepoch')";
    Statement st(
        db_, ("SELECT " + key +
              ", count(*), sum(status=0), sum(status=2), sum(status=3), sum(status=4) FROM reports "
              "WHERE account=? AND ended_ms>=? AND ended_ms<? AND (?='' OR mail_from=?) AND (?='' OR tag=?) "
              "GROUP BY 1 ORDER BY 1")
                 .c_str());
    int i = 1;
    if (q.group != "sender" && q.group != "tag") st.bind(i++, std::int64_t{q.utc_offset_minutes} * 60);
    st.bind(i, q.account).bind(i + 1, q.from_ms).bind(i + 2, q.to_ms);
    st.bind(i + 3, q.mail_from).bind(i + 4, q.mail_from).bind(i + 5, q.tag).bind(i + 6, q.tag);
    std::vector<StatRow> out;
    while (st.step())
        out.push_back(
            {st.text(0), st.integer(1), st.integer(2), st.integer(3), st.integer(4), st.integer(5)});
    return out;
}

} // namespace mailpush::delivery
