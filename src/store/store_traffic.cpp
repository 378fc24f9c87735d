// Per-account overrides of the traffic rules (table account_traffic: one row per overridden
// field, docs/accounts.md) and the Directory's view of them.
#include "mailpush/sqlite/sqlite.hpp"
#include "mailpush/store/store.hpp"

namespace mailpush::store {
using sqlite::Statement;

namespace {
constexpr const char* kTrafficSchema = R"SQL(
CREATE TABLE IF NOT EXISTS account_traffic (
  account_id INTEGER NOT NULL REFERENCES accounts(id), field TEXT NOT NULL, value INTEGER NOT NULL,
  PRIMARY KEY (account_id, field));
)SQL";
const TrafficOverrides kNoOverrides{};
} // namespace

const TrafficOverrides& Directory::traffic(const std::string& account) const {
    const auto it = traffic_overrides.find(account);
    return it == traffic_overrides.end() ? kNoOverrides : it->second;
}

TrafficRules Directory::traffic_rules(const std::string& account) const {
    return resolve_traffic(traffic_defaults, traffic(account));
}

void Store::open_traffic() {
    exec(kTrafficSchema);
}

void Store::load_traffic(Directory& dir) {
    dir.traffic_defaults = limits_.traffic;
    Statement st(db_,
                 "SELECT a.name,t.field,t.value FROM account_traffic t JOIN accounts a ON a.id=t.account_id");
    while (st.step()) // a field no longer known, or out of today's bounds, is ignored
        set_traffic_value(dir.traffic_overrides[st.text(0)], st.text(1), st.integer(2));
}

TrafficOverrides Store::traffic_overrides(const std::string& account) {
    std::lock_guard lock(db_mutex_);
    TrafficOverrides out;
    Statement st(db_, "SELECT field,value FROM account_traffic WHERE account_id=?");
    st.bind(1, account_id(account));
    while (st.step())
        set_traffic_value(out, st.text(0), st.integer(1));
    return out;
}

TrafficOverrides Store::set_traffic_overrides(const std::string& account,
                                              const std::vector<TrafficChange>& changes) {
    for (const auto& c : changes) {
        const auto* field = find_traffic_field(c.field);
        if (!field) throw StoreError(ErrorKind::invalid, "unknown traffic field: " + c.field);
        if (c.value && (*c.value < field->min || *c.value > field->max))
            throw StoreError(ErrorKind::invalid, c.field + " must be from " + std::to_string(field->min) +
                                                     " to " + std::to_string(field->max));
    }
    {
        std::lock_guard lock(db_mutex_);
        const auto id = account_id(account);
        transaction([&] {
            for (const auto& c : changes) {
                Statement st(db_, c.value
                                      ? "INSERT INTO account_traffic(account_id,field,value) VALUES(?,?,?) "
                                        "ON CONFLICT(account_id,field) DO UPDATE SET value=excluded.value"
                                      : "DELETE FROM account_traffic WHERE account_id=? AND field=?");
                st.bind(1, id).bind(2, c.field);
                if (c.value) st.bind(3, *c.value);
                st.step();
            }
        });
    }
    refresh_directory();
    return traffic_overrides(account);
}

} // namespace mailpush::store
