// Monitoring in the store (docs/monitoring.md): the per-minute counts of the monitor items
// (written from the meter with the quota counts, kept 31 days) and the accounts' alarm rules
// with where each one's evaluation stands.
#include "mailpush/sqlite/sqlite.hpp"
#include "mailpush/store/store.hpp"

#include <stdexcept>

namespace mailpush::store {
using sqlite::Statement;

namespace {

constexpr std::int64_t kRulesPerAccount = 50;
constexpr std::int64_t kDayMs = 86'400'000;

constexpr const char* kRuleColumns =
    "r.id, a.name, r.name, r.item, r.period, r.statistic, r.comparison, r.threshold, r.consecutive, "
    "r.active_from, r.active_to, r.enabled, r.state, r.streak, r.evaluated_until, r.last_value, "
    "r.changed_ms, "
    "r.created_ms, r.version";

AlarmState state_from(const std::string& s) {
    if (s == "OK") return AlarmState::ok;
    if (s == "ALARM") return AlarmState::alarm;
    return AlarmState::insufficient_data;
}

AlarmRule rule_from_row(const Statement& st) {
    AlarmRule r;
    r.id = st.integer(0);
    r.account = st.text(1);
    r.spec.name = st.text(2);
    r.spec.item = find_monitor_item(st.text(3)).value_or(MonitorItem{});
    r.spec.period_minutes = static_cast<int>(st.integer(4));
    r.spec.statistic = parse_statistic(st.text(5)).value_or(AlarmStatistic::average);
    r.spec.comparison = parse_comparison(st.text(6)).value_or(AlarmComparison::ge);
    r.spec.threshold = st.real(7);
    r.spec.consecutive = static_cast<int>(st.integer(8));
    r.spec.active_from = static_cast<int>(st.integer(9));
    r.spec.active_to = static_cast<int>(st.integer(10));
    r.spec.enabled = st.integer(11) != 0;
    r.progress.state = state_from(st.text(12));
    r.progress.streak = static_cast<int>(st.integer(13));
    r.progress.evaluated_until_ms = st.integer(14);
    r.progress.last_value = st.real(15);
    r.progress.changed_ms = st.integer(16);
    r.created_ms = st.integer(17);
    r.version = st.integer(18);
    return r;
}

// The spec's columns, in the order both the INSERT and the UPDATE name them, from `first`.
void bind_spec(Statement& st, int first, const AlarmRuleSpec& spec) {
    st.bind(first, spec.name).bind(first + 1, std::string(monitor_key(spec.item)));
    st.bind(first + 2, std::int64_t{spec.period_minutes})
        .bind(first + 3, std::string(to_string(spec.statistic)));
    st.bind(first + 4, std::string(to_string(spec.comparison))).bind_real(first + 5, spec.threshold);
    st.bind(first + 6, std::int64_t{spec.consecutive}).bind(first + 7, std::int64_t{spec.active_from});
    st.bind(first + 8, std::int64_t{spec.active_to}).bind(first + 9, std::int64_t{spec.enabled});
}

void check(const AlarmRuleSpec& spec) {
    if (auto problem = check_alarm_rule(spec)) throw StoreError(ErrorKind::invalid, *problem);
}

} // namespace

void Store::open_monitor() {
    exec("CREATE TABLE IF NOT EXISTS monitor_minutes("
         " account_id INTEGER NOT NULL, item TEXT NOT NULL, minute INTEGER NOT NULL, count INTEGER NOT NULL,"
         " PRIMARY KEY(account_id, item, minute)) WITHOUT ROWID");
    exec("CREATE INDEX IF NOT EXISTS monitor_minutes_by_minute ON monitor_minutes(minute)");
    exec("CREATE TABLE IF NOT EXISTS alarm_rules("
         " id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, name TEXT NOT NULL, item TEXT NOT NULL,"
         " period INTEGER NOT NULL, statistic TEXT NOT NULL, comparison TEXT NOT NULL, threshold REAL NOT "
         "NULL,"
         " consecutive INTEGER NOT NULL, active_from INTEGER NOT NULL, active_to INTEGER NOT NULL,"
         " enabled INTEGER NOT NULL, state TEXT NOT NULL, streak INTEGER NOT NULL,"
         " evaluated_until INTEGER NOT NULL, last_value REAL NOT NULL, changed_ms INTEGER NOT NULL,"
         " created_ms INTEGER NOT NULL, version INTEGER NOT NULL)");
}

// With flush_usage: the meter's counts since the last write, and once an hour the minutes past
// the retention.
void Store::flush_monitor(std::int64_t now_ms) {
    // Taken under the store's lock, which monitor_counts() holds while it reads the rows and the
    // meter: a query never misses counts that are on their way to the table.
    std::lock_guard lock(db_mutex_);
    auto counts = monitor_.take();
    const bool prune = now_ms - monitor_pruned_ms_ >= 3'600'000;
    if (counts.empty() && !prune) return;
    try {
        write_monitor(counts, prune ? now_ms - kMonitorRetentionDays * kDayMs : 0);
    } catch (...) {
        monitor_.restore(counts); // written with the next flush
        throw;
    }
    if (prune) monitor_pruned_ms_ = now_ms;
}

void Store::write_monitor(const std::vector<MonitorCount>& counts, std::int64_t prune_before_ms) {
    transaction([&] {
        Statement st(db_, "INSERT INTO monitor_minutes(account_id, item, minute, count) "
                          "SELECT id, ?, ?, ? FROM accounts WHERE name=? "
                          "ON CONFLICT(account_id, item, minute) DO UPDATE SET count=count+excluded.count");
        for (const auto& c : counts) {
            st.reset();
            st.bind(1, std::string(monitor_key(c.item)))
                .bind(2, c.minute)
                .bind(3, c.count)
                .bind(4, c.account);
            st.step();
        }
        if (prune_before_ms > 0) {
            Statement old(db_, "DELETE FROM monitor_minutes WHERE minute < ?");
            old.bind(1, prune_before_ms);
            old.step();
        }
    });
}

std::vector<MonitorCount> Store::monitor_counts(const std::string& account, MonitorItem item,
                                                std::int64_t from_ms, std::int64_t to_ms) {
    std::map<std::int64_t, std::int64_t> by_minute;
    std::lock_guard lock(db_mutex_); // then the meter's: the order of flush_monitor()
    Statement st(db_, "SELECT m.minute, m.count FROM monitor_minutes m JOIN accounts a ON a.id=m.account_id "
                      "WHERE a.name=? AND m.item=? AND m.minute>=? AND m.minute<? ORDER BY m.minute");
    st.bind(1, account).bind(2, std::string(monitor_key(item))).bind(3, from_ms).bind(4, to_ms);
    while (st.step())
        by_minute[st.integer(0)] += st.integer(1);
    for (const auto& c : monitor_.pending(account)) // not written yet: the last seconds
        if (c.item == item && c.minute >= from_ms && c.minute < to_ms) by_minute[c.minute] += c.count;
    std::vector<MonitorCount> out;
    out.reserve(by_minute.size());
    for (const auto& [minute, n] : by_minute)
        out.push_back({account, item, minute, n});
    return out;
}

AlarmRule Store::add_alarm_rule(const std::string& account, const AlarmRuleSpec& spec, std::int64_t now_ms) {
    check(spec);
    const auto progress = start_progress(spec, now_ms);
    std::int64_t id = 0;
    {
        std::lock_guard lock(db_mutex_);
        const auto account_row = account_id(account);
        Statement count(db_, "SELECT count(*) FROM alarm_rules WHERE account_id=?");
        count.bind(1, account_row);
        if (count.step() && count.integer(0) >= kRulesPerAccount)
            throw StoreError(ErrorKind::conflict, "an account has at most 50 alarm rules");
        Statement st(
            db_, "INSERT INTO alarm_rules(account_id, name, item, period, statistic, comparison, "
                 "threshold, consecutive, active_from, active_to, enabled, state, streak, evaluated_until, "
                 "last_value, changed_ms, created_ms, version) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,0,?,0,?,?,1)");
        st.bind(1, account_row);
        bind_spec(st, 2, spec);
        st.bind(12, std::string(to_string(progress.state))).bind(13, progress.evaluated_until_ms);
        st.bind(14, progress.changed_ms).bind(15, now_ms);
        st.step();
        id = sqlite3_last_insert_rowid(db_);
    }
    return get_alarm_rule(account, id);
}

std::vector<AlarmRule> Store::list_alarm_rules(const std::string& account_filter) {
    std::lock_guard lock(db_mutex_);
    const std::string sql = std::string("SELECT ") + kRuleColumns +
                            " FROM alarm_rules r JOIN accounts a ON a.id=r.account_id "
                            "WHERE ?='' OR a.name=? ORDER BY r.id";
    Statement st(db_, sql.c_str());
    st.bind(1, account_filter).bind(2, account_filter);
    std::vector<AlarmRule> out;
    while (st.step())
        out.push_back(rule_from_row(st));
    return out;
}

AlarmRule Store::get_alarm_rule(const std::string& account, std::int64_t id) {
    std::lock_guard lock(db_mutex_);
    return read_alarm_rule(account, id);
}

AlarmRule Store::read_alarm_rule(const std::string& account, std::int64_t id) {
    const std::string sql =
        std::string("SELECT ") + kRuleColumns +
        " FROM alarm_rules r JOIN accounts a ON a.id=r.account_id WHERE r.id=? AND a.name=?";
    Statement st(db_, sql.c_str());
    st.bind(1, id).bind(2, account);
    if (!st.step()) throw StoreError(ErrorKind::not_found, "no such alarm rule: " + std::to_string(id));
    return rule_from_row(st);
}

AlarmRule Store::update_alarm_rule(const std::string& account, std::int64_t id, const AlarmRuleSpec& spec,
                                   std::int64_t now_ms) {
    check(spec);
    std::lock_guard lock(db_mutex_); // read and write as one: an evaluation saved meanwhile is kept
    const auto old = read_alarm_rule(account, id); // not_found for another account's rule
    auto renamed = old.spec;
    renamed.name = spec.name;
    if (renamed == spec) {
        // A new name only: the state, the progress and the version (an evaluation in flight) stay.
        Statement st(db_, "UPDATE alarm_rules SET name=? WHERE id=?");
        st.bind(1, spec.name).bind(2, id);
        st.step();
        return read_alarm_rule(account, id);
    }
    // What is evaluated changed: the rule starts again.
    const auto progress = start_progress(spec, now_ms);
    Statement st(db_,
                 "UPDATE alarm_rules SET name=?, item=?, period=?, statistic=?, comparison=?, threshold=?, "
                 "consecutive=?, active_from=?, active_to=?, enabled=?, state=?, streak=?, "
                 "evaluated_until=?, last_value=?, changed_ms=?, version=version+1 WHERE id=?");
    bind_spec(st, 1, spec);
    st.bind(11, std::string(to_string(progress.state))).bind(12, std::int64_t{progress.streak});
    st.bind(13, progress.evaluated_until_ms).bind_real(14, progress.last_value);
    st.bind(15, progress.changed_ms).bind(16, id);
    st.step();
    return read_alarm_rule(account, id);
}

void Store::remove_alarm_rule(const std::string& account, std::int64_t id) {
    std::lock_guard lock(db_mutex_);
    Statement st(db_,
                 "DELETE FROM alarm_rules WHERE id=? AND account_id=(SELECT id FROM accounts WHERE name=?)");
    st.bind(1, id).bind(2, account);
    st.step();
    if (sqlite3_changes(db_) == 0)
        throw StoreError(ErrorKind::not_found, "no such alarm rule: " + std::to_string(id));
}

bool Store::save_alarm_progress(std::int64_t id, std::int64_t version, const AlarmProgress& p) {
    std::lock_guard lock(db_mutex_);
    Statement st(db_,
                 "UPDATE alarm_rules SET state=?, streak=?, evaluated_until=?, last_value=?, changed_ms=? "
                 "WHERE id=? AND version=?");
    st.bind(1, std::string(to_string(p.state))).bind(2, std::int64_t{p.streak}).bind(3, p.evaluated_until_ms);
    st.bind_real(4, p.last_value).bind(5, p.changed_ms).bind(6, id).bind(7, version);
    st.step();
    return sqlite3_changes(db_) > 0;
}

} // namespace mailpush::store
