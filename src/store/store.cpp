// SQLite store: schema, the seeds' limits, and the Directory snapshot. Input comes from the
// admin API and is validated here, in one place, before it reaches SQL (always bound, never
// concatenated).
#include "mailpush/store/store.hpp"

#include "mailpush/common/calendar.hpp"
#include "mailpush/common/password_hash.hpp"
#include "mailpush/common/random.hpp"
#include "mailpush/common/secret_box.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/smtp/command.hpp"
#include "mailpush/sqlite/sqlite.hpp"
#include "mailpush/store/dns_records.hpp"
#include "mailpush/store/password_policy.hpp"

#include <array>
#include <filesystem>

namespace mailpush::store {
using sqlite::Statement;

namespace {
constexpr const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS accounts (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, status TEXT NOT NULL DEFAULT 'normal',
  region TEXT NOT NULL, daily_quota INTEGER NOT NULL, monthly_quota INTEGER NOT NULL,
  created_at TEXT NOT NULL DEFAULT (datetime('now')));
CREATE TABLE IF NOT EXISTS domains (
  id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id),
  name TEXT NOT NULL UNIQUE, main_domain TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (datetime('now')));
CREATE TABLE IF NOT EXISTS addresses (
  id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id),
  domain_id INTEGER NOT NULL REFERENCES domains(id), address TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL, password_hash TEXT NOT NULL DEFAULT '', previous_hash TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL DEFAULT (datetime('now')));
CREATE TABLE IF NOT EXISTS address_deletions (
  account_id INTEGER NOT NULL REFERENCES accounts(id), month TEXT NOT NULL, count INTEGER NOT NULL,
  PRIMARY KEY (account_id, month));
CREATE TABLE IF NOT EXISTS ip_entries (
  account_id INTEGER NOT NULL REFERENCES accounts(id), entry TEXT NOT NULL, PRIMARY KEY (account_id, entry));
CREATE TABLE IF NOT EXISTS invalid_addresses (
  account_id INTEGER NOT NULL REFERENCES accounts(id), address TEXT NOT NULL, reason TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (datetime('now')), PRIMARY KEY (account_id, address));
CREATE TABLE IF NOT EXISTS domain_checks (
  domain_id INTEGER NOT NULL REFERENCES domains(id), purpose TEXT NOT NULL, status TEXT NOT NULL,
  found TEXT NOT NULL, checked_at TEXT NOT NULL, PRIMARY KEY (domain_id, purpose));
CREATE TABLE IF NOT EXISTS reply_to_tokens (
  token TEXT PRIMARY KEY, address_id INTEGER NOT NULL REFERENCES addresses(id), reply_to TEXT NOT NULL,
  expires_s INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS notify_targets (
  account_id INTEGER NOT NULL REFERENCES accounts(id), address TEXT NOT NULL, target TEXT NOT NULL,
  events TEXT NOT NULL, secret TEXT NOT NULL, created_at TEXT NOT NULL DEFAULT (datetime('now')),
  PRIMARY KEY (account_id, address));
CREATE TABLE IF NOT EXISTS api_nonces (
  nonce TEXT PRIMARY KEY, seen_s INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS api_nonces_seen ON api_nonces(seen_s);
CREATE TABLE IF NOT EXISTS access_keys (
  id TEXT PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), secret TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (datetime('now')));
CREATE TABLE IF NOT EXISTS tags (
  account_id INTEGER NOT NULL REFERENCES accounts(id), name TEXT NOT NULL, description TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (datetime('now')), PRIMARY KEY (account_id, name));
CREATE TABLE IF NOT EXISTS receiver_lists (
  id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), name TEXT NOT NULL,
  alias TEXT NOT NULL UNIQUE, description TEXT NOT NULL, created_at TEXT NOT NULL DEFAULT (datetime('now')),
  UNIQUE (account_id, name));
CREATE TABLE IF NOT EXISTS receivers (
  list_id INTEGER NOT NULL REFERENCES receiver_lists(id), email TEXT NOT NULL, user_name TEXT NOT NULL,
  nick_name TEXT NOT NULL, gender TEXT NOT NULL, birthday TEXT NOT NULL, mobile TEXT NOT NULL,
  PRIMARY KEY (list_id, email));
CREATE TABLE IF NOT EXISTS templates (
  account_id INTEGER NOT NULL REFERENCES accounts(id), name TEXT NOT NULL, subject TEXT NOT NULL,
  body TEXT NOT NULL, from_alias TEXT NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL DEFAULT (datetime('now')),
  updated_at TEXT NOT NULL DEFAULT (datetime('now')), PRIMARY KEY (account_id, name));
CREATE TABLE IF NOT EXISTS usage (
  account_id INTEGER NOT NULL REFERENCES accounts(id), day TEXT NOT NULL, count INTEGER NOT NULL,
  PRIMARY KEY (account_id, day));
CREATE TABLE IF NOT EXISTS send_tasks (
  id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), address TEXT NOT NULL,
  address_type INTEGER NOT NULL, template TEXT NOT NULL, receivers TEXT NOT NULL, tag TEXT NOT NULL,
  status TEXT NOT NULL, total INTEGER NOT NULL, queued INTEGER NOT NULL, skipped INTEGER NOT NULL,
  detail TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL DEFAULT (datetime('now')));
)SQL";

bool valid_account_name(const std::string& n) {
    if (n.empty() || n.size() > 64) return false;
    for (char c : n)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.' || c == '@'))
            return false;
    return true;
}

bool valid_domain_name(const std::string& d) {
    if (d.find('.') == std::string::npos) return false;
    return smtp::is_valid_mailbox("x@" + d, false) && d.front() != '[';
}

std::string current_month() {
    return common::format_time(common::to_unix_seconds(std::chrono::system_clock::now()),
                               common::TimeFormat::month);
}
} // namespace

std::string main_domain(const std::string& domain) {
    static constexpr std::array<std::string_view, 24> two_label_suffixes{
        "com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn", "ac.cn",  "co.uk",  "org.uk",
        "ac.uk",  "gov.uk", "co.jp",  "ne.jp",  "or.jp",  "com.au", "net.au", "org.au",
        "com.hk", "com.tw", "co.kr",  "com.sg", "com.br", "co.in",  "co.nz",  "com.my"};
    const std::string d = common::to_lower(domain);
    const auto last = d.rfind('.');
    if (last == std::string::npos) return d;
    auto second = d.rfind('.', last - 1);
    if (second == std::string::npos) return d;
    const std::string_view tail = std::string_view(d).substr(second + 1);
    for (auto s : two_label_suffixes) {
        if (tail == s) {
            const auto third = d.rfind('.', second - 1);
            return third == std::string::npos ? d : d.substr(third + 1);
        }
    }
    return d.substr(second + 1);
}

const Directory::Sender* Directory::sender(const std::string& address) const {
    const auto it = senders.find(smtp::mailbox_key(address));
    return it == senders.end() ? nullptr : &it->second;
}

bool Directory::ip_allowed(const std::string& account, const std::string& ip) const {
    const auto it = ip_allow.find(account);
    if (it == ip_allow.end()) return true; // IP protection off
    return std::any_of(it->second.begin(), it->second.end(),
                       [&](const IpRange& r) { return range_contains(r, ip); });
}

bool Directory::owns_domain(const std::string& account_name, std::string_view domain) const {
    const auto it = domains.find(common::to_lower(domain));
    return it != domains.end() && it->second == account_name;
}

const Directory::AccountInfo* Directory::account(const std::string& name) const {
    const auto it = accounts.find(name);
    return it == accounts.end() ? nullptr : &it->second;
}

const std::vector<std::string>* Directory::alias_members(const std::string& account_name,
                                                         const std::string& address) const {
    const auto it = aliases->find(common::to_lower(address));
    return it == aliases->end() || it->second.account != account_name ? nullptr : &it->second.members;
}

bool Directory::is_alias(const std::string& address) const {
    return aliases->count(common::to_lower(address)) != 0;
}

std::size_t Directory::reach(const std::string& account_name, const std::string& address) const {
    const auto* members = alias_members(account_name, address);
    if (!members) return 1;
    return static_cast<std::size_t>(
        std::count_if(members->begin(), members->end(),
                      [&](const std::string& m) { return !is_invalid(account_name, m); }));
}

std::vector<std::string> Directory::expand(const std::string& account_name,
                                           const std::vector<std::string>& addresses) const {
    std::vector<std::string> out;
    for (const auto& a : addresses) {
        if (const auto* members = alias_members(account_name, a)) {
            for (const auto& m : *members)
                if (!is_invalid(account_name, m)) out.push_back(m);
        } else if (!is_invalid(account_name, a)) {
            out.push_back(a);
        }
    }
    return out;
}

bool Directory::is_invalid(const std::string& account, const std::string& address) const {
    return invalid.count(account + '\n' + common::to_lower(address)) != 0;
}

Store::Store(const std::string& path, StoreLimits limits, std::string region)
    : limits_(std::move(limits))
    , region_(std::move(region))
    , quota_(limits_.utc_offset_minutes) {
    db_ = sqlite::open_database(path, sqlite::Access::read_write, "store");
    exec("PRAGMA foreign_keys=ON");
    exec(kSchema);
    // Columns added after the first release: older databases get them here.
    if (!has_column("accounts", "events_enabled"))
        exec("ALTER TABLE accounts ADD COLUMN events_enabled INTEGER NOT NULL DEFAULT 1");
    if (!has_column("accounts", "ip_protection"))
        exec("ALTER TABLE accounts ADD COLUMN ip_protection INTEGER NOT NULL DEFAULT 0");
    if (!has_column("domains", "verify_token")) {
        exec("ALTER TABLE domains ADD COLUMN verify_token TEXT NOT NULL DEFAULT ''");
        exec("ALTER TABLE domains ADD COLUMN verified INTEGER NOT NULL DEFAULT 0");
    }
    if (!has_column("addresses", "reply_to")) {
        exec("ALTER TABLE addresses ADD COLUMN reply_to TEXT NOT NULL DEFAULT ''");
        exec("ALTER TABLE addresses ADD COLUMN reply_to_status TEXT NOT NULL DEFAULT 'none'");
        exec("ALTER TABLE addresses ADD COLUMN reply_to_requested_s INTEGER NOT NULL DEFAULT 0");
    }
    if (!has_column("send_tasks", "track"))
        exec("ALTER TABLE send_tasks ADD COLUMN track INTEGER NOT NULL DEFAULT 0");
    const auto key_file = std::filesystem::path(path).parent_path() / "master.key";
    secrets_ = std::make_unique<common::SecretBox>(key_file.string());
    open_suppression(std::filesystem::path(path).parent_path().string());
    open_traffic();
    open_console();
    open_monitor();
    open_blocks();
    open_tracking();
    migrate_dkim();
    load_usage();
    refresh_directory();
}

Store::~Store() {
    try {
        flush_usage();
    } catch (...) { // a destructor must not throw; the counts are lost at worst
    }
    sqlite3_close(db_);
}

void Store::exec(const char* sql) {
    sqlite::exec(db_, sql);
}

bool Store::has_column(const std::string& table, const std::string& column) {
    return sqlite::has_column(db_, table, column);
}

void Store::transaction(const std::function<void()>& body) {
    sqlite::transaction(db_, body);
}

std::int64_t Store::account_id(const std::string& name) {
    Statement st(db_, "SELECT id FROM accounts WHERE name=?");
    st.bind(1, name);
    if (!st.step()) throw StoreError(ErrorKind::not_found, "no such account: " + name);
    return st.integer(0);
}

// ---- accounts ---------------------------------------------------------------------------

Account Store::add_account(const std::string& name) {
    if (!valid_account_name(name))
        throw StoreError(ErrorKind::invalid,
                         "account name must be 1-64 characters of letters, digits, - _ . @");
    {
        std::lock_guard lock(db_mutex_);
        Statement exists(db_, "SELECT 1 FROM accounts WHERE name=?");
        exists.bind(1, name);
        if (exists.step()) throw StoreError(ErrorKind::conflict, "account already exists: " + name);
        Statement st(db_, "INSERT INTO accounts(name, region, daily_quota, monthly_quota) VALUES(?,?,?,?)");
        st.bind(1, name).bind(2, region_).bind(3, limits_.daily_quota).bind(4, limits_.monthly_quota);
        st.step();
    }
    return get_account(name);
}

std::vector<Account> Store::list_accounts() {
    std::lock_guard lock(db_mutex_);
    Statement st(db_, "SELECT name,status,region,daily_quota,monthly_quota,created_at,events_enabled FROM "
                      "accounts ORDER BY name");
    std::vector<Account> out;
    while (st.step())
        out.push_back({st.text(0), st.text(1), st.text(2), st.integer(3), st.integer(4), st.text(5),
                       st.integer(6) != 0});
    return out;
}

Account Store::get_account(const std::string& name) {
    std::lock_guard lock(db_mutex_);
    Statement st(db_, "SELECT name,status,region,daily_quota,monthly_quota,created_at,events_enabled FROM "
                      "accounts WHERE name=?");
    st.bind(1, name);
    if (!st.step()) throw StoreError(ErrorKind::not_found, "no such account: " + name);
    return {st.text(0), st.text(1), st.text(2), st.integer(3), st.integer(4), st.text(5), st.integer(6) != 0};
}

void Store::remove_account(const std::string& name) {
    {
        std::lock_guard lock(db_mutex_);
        const auto id = account_id(name);
        Statement has(db_, "SELECT 1 FROM domains WHERE account_id=?");
        has.bind(1, id);
        if (has.step()) throw StoreError(ErrorKind::conflict, "account still has domains; remove them first");
        transaction([&] {
            for (const char* sql :
                 {"DELETE FROM invalid_addresses WHERE account_id=?",
                  "DELETE FROM account_traffic WHERE account_id=?",
                  "DELETE FROM traffic_blocks WHERE account_id=?",
                  "DELETE FROM suppressions WHERE account_id=?",
                  "DELETE FROM suppression_levels WHERE account_id=?",
                  "DELETE FROM ip_entries WHERE account_id=?",
                  "DELETE FROM address_deletions WHERE account_id=?",
                  "DELETE FROM access_keys WHERE account_id=?", "DELETE FROM tags WHERE account_id=?",
                  "DELETE FROM notify_targets WHERE account_id=?",
                  "DELETE FROM receivers WHERE list_id IN (SELECT id FROM receiver_lists WHERE account_id=?)",
                  "DELETE FROM receiver_lists WHERE account_id=?", "DELETE FROM templates WHERE account_id=?",
                  "DELETE FROM usage WHERE account_id=?", "DELETE FROM monitor_minutes WHERE account_id=?",
                  "DELETE FROM alarm_rules WHERE account_id=?", "DELETE FROM send_tasks WHERE account_id=?",
                  "DELETE FROM accounts WHERE id=?"}) {
                Statement st(db_, sql);
                st.bind(1, id);
                st.step();
            }
        });
    }
    traffic_.forget_account(name);
    refresh_directory(true);
}

Account Store::set_account_status(const std::string& name, const std::string& status) {
    if (status != "normal" && status != "suspended")
        throw StoreError(ErrorKind::invalid, "status must be \"normal\" or \"suspended\"");
    {
        std::lock_guard lock(db_mutex_);
        const auto id = account_id(name);
        Statement st(db_, "UPDATE accounts SET status=? WHERE id=?");
        st.bind(1, status).bind(2, id);
        st.step();
    }
    refresh_directory();
    return get_account(name);
}

Account Store::set_events_enabled(const std::string& name, bool enabled) {
    {
        std::lock_guard lock(db_mutex_);
        const auto id = account_id(name);
        Statement st(db_, "UPDATE accounts SET events_enabled=? WHERE id=?");
        st.bind(1, static_cast<std::int64_t>(enabled)).bind(2, id);
        st.step();
    }
    refresh_directory();
    return get_account(name);
}

// ---- domains ----------------------------------------------------------------------------

Domain Store::add_domain(const std::string& account, const std::string& domain_in, const DkimOptions& dkim) {
    const std::string domain = common::to_lower(domain_in);
    if (!valid_domain_name(domain))
        throw StoreError(ErrorKind::invalid, "not a valid domain name: " + domain_in);
    if (dkim.rsa_bits != 1024 && dkim.rsa_bits != 2048)
        throw StoreError(ErrorKind::invalid,
                         "DKIM RSA length must be 1024 or 2048, not " + std::to_string(dkim.rsa_bits));
    const std::string main = main_domain(domain);
    {
        std::lock_guard lock(db_mutex_);
        const auto id = account_id(account);
        Statement exists(db_, "SELECT 1 FROM domains WHERE name=?");
        exists.bind(1, domain);
        if (exists.step()) throw StoreError(ErrorKind::conflict, "domain already exists: " + domain);
        Statement other(db_, "SELECT a.name FROM domains d JOIN accounts a ON a.id=d.account_id "
                             "WHERE d.main_domain=? AND d.account_id<>?");
        other.bind(1, main).bind(2, id);
        if (other.step())
            throw StoreError(ErrorKind::conflict,
                             "the main domain " + main + " and its subdomains belong to another account");
        Statement count(db_, "SELECT count(*) FROM domains WHERE account_id=?");
        count.bind(1, id);
        count.step();
        if (count.integer(0) >= limits_.max_domains)
            throw StoreError(ErrorKind::limit, "an account may have at most " +
                                                   std::to_string(limits_.max_domains) + " domains");
        transaction([&] { // the domain and its first DKIM keys, or nothing
            Statement st(db_,
                         "INSERT INTO domains(account_id, name, main_domain, verify_token) VALUES(?,?,?,?)");
            st.bind(1, id).bind(2, domain).bind(3, main).bind(4,
                                                              "mailpush-verify=" + common::random_token(24));
            st.step();
            const auto domain_id = sqlite3_last_insert_rowid(db_);
            const auto now = common::unix_seconds_now();
            insert_dkim_key(domain_id, "rsa", dkim.rsa_bits, 1, "active", now);
            if (dkim.ed25519) insert_dkim_key(domain_id, "ed25519", 0, 1, "active", now);
        });
    }
    refresh_directory(); // its keys sign from now on
    return get_domain(domain);
}

std::vector<Domain> Store::list_domains(const std::string& account_filter) {
    std::lock_guard lock(db_mutex_);
    Statement st(db_, "SELECT d.id,d.name,a.name,d.created_at,d.verify_token,d.verified FROM domains d "
                      "JOIN accounts a ON a.id=d.account_id WHERE ?='' OR a.name=? ORDER BY d.name");
    st.bind(1, account_filter).bind(2, account_filter);
    std::vector<Domain> out;
    while (st.step())
        out.push_back(domain_from_row(st));
    return out;
}

Domain Store::get_domain(const std::string& domain) {
    std::lock_guard lock(db_mutex_);
    Statement st(db_, "SELECT d.id,d.name,a.name,d.created_at,d.verify_token,d.verified FROM domains d "
                      "JOIN accounts a ON a.id=d.account_id WHERE d.name=?");
    st.bind(1, common::to_lower(domain));
    if (!st.step()) throw StoreError(ErrorKind::not_found, "no such domain: " + domain);
    return domain_from_row(st);
}

Domain Store::domain_from_row(const Statement& st) {
    Domain d;
    d.name = st.text(1);
    d.account = st.text(2);
    d.created_at = st.text(3);
    d.verify_token = st.text(4);
    d.verified = st.integer(5) != 0;
    d.id = st.integer(0);
    d.dkim = load_dkim_keys(d.id);
    d.checks = required_records(d.name, d.verify_token, limits_.service_host);
    for (auto& r : dkim_records(d.name, d.dkim, common::unix_seconds_now()))
        d.checks.push_back(std::move(r));
    d.checks.push_back(dmarc_record(d.name));
    Statement checks(db_, "SELECT purpose,status,found,checked_at FROM domain_checks WHERE domain_id=?");
    checks.bind(1, st.integer(0));
    while (checks.step())
        for (auto& c : d.checks)
            if (c.purpose == checks.text(0)) {
                c.status = checks.text(1);
                c.found = checks.text(2);
                c.checked_at = checks.text(3);
            }
    return d;
}

Domain Store::record_domain_checks(const std::string& domain, const std::vector<DnsRecordCheck>& checks) {
    {
        std::lock_guard lock(db_mutex_);
        Statement id(db_, "SELECT id FROM domains WHERE name=?");
        id.bind(1, common::to_lower(domain));
        if (!id.step()) throw StoreError(ErrorKind::not_found, "no such domain: " + domain);
        const auto domain_id = id.integer(0);
        transaction([&] {
            for (const auto& c : checks) {
                Statement st(db_,
                             "INSERT INTO domain_checks(domain_id,purpose,status,found,checked_at) "
                             "VALUES(?,?,?,?,datetime('now')) ON CONFLICT(domain_id,purpose) DO UPDATE SET "
                             "status=excluded.status, found=excluded.found, checked_at=excluded.checked_at");
                st.bind(1, domain_id).bind(2, c.purpose).bind(3, c.status).bind(4, c.found.substr(0, 1000));
                st.step();
            }
            const auto keys =
                activate_verified_keys(load_dkim_keys(domain_id), checks, common::unix_seconds_now());
            save_dkim_states(domain_id, keys);
            Statement v(db_, "UPDATE domains SET verified=? WHERE id=?");
            v.bind(1, static_cast<std::int64_t>(domain_verified(checks) && dkim_verified(checks, keys)))
                .bind(2, domain_id);
            v.step();
        });
    }
    refresh_directory();
    return get_domain(domain);
}

void Store::remove_domain(const std::string& domain) {
    std::lock_guard lock(db_mutex_);
    Statement id(db_, "SELECT id FROM domains WHERE name=?");
    id.bind(1, common::to_lower(domain));
    if (!id.step()) throw StoreError(ErrorKind::not_found, "no such domain: " + domain);
    Statement has(db_, "SELECT 1 FROM addresses WHERE domain_id=?");
    has.bind(1, id.integer(0));
    if (has.step())
        throw StoreError(ErrorKind::conflict, "domain still has sender addresses; remove them first");
    transaction([&] {
        for (const char* sql :
             {"DELETE FROM domain_checks WHERE domain_id=?", "DELETE FROM dkim_keys WHERE domain_id=?",
              "DELETE FROM domains WHERE id=?"}) {
            Statement del(db_, sql);
            del.bind(1, id.integer(0));
            del.step();
        }
    });
}

// ---- sender addresses -------------------------------------------------------------------

Address Store::add_address(const std::string& account, const std::string& address_in,
                           const std::string& type_in) {
    const std::string type = type_in.empty() ? "trigger" : type_in;
    if (type != "trigger" && type != "batch")
        throw StoreError(ErrorKind::invalid, "type must be \"trigger\" or \"batch\"");
    if (!smtp::is_valid_mailbox(address_in, false) || address_in.front() == '"')
        throw StoreError(ErrorKind::invalid, "not a valid sender address: " + address_in);
    const std::string address = smtp::mailbox_key(address_in);
    const auto domain = std::string(smtp::split_address(address).second);
    {
        std::lock_guard lock(db_mutex_);
        const auto id = account_id(account);
        Statement dom(db_, "SELECT id FROM domains WHERE name=? AND account_id=?");
        dom.bind(1, domain).bind(2, id);
        if (!dom.step())
            throw StoreError(ErrorKind::invalid,
                             "domain " + domain + " is not a domain of account " + account);
        const auto domain_id = dom.integer(0);
        Statement exists(db_, "SELECT 1 FROM addresses WHERE address=?");
        exists.bind(1, address);
        if (exists.step()) throw StoreError(ErrorKind::conflict, "address already exists: " + address);
        // Aliases are looked up lowercased: an address equal to one but for case is the alias.
        Statement alias(db_, "SELECT 1 FROM receiver_lists WHERE alias=?");
        alias.bind(1, common::to_lower(address));
        if (alias.step())
            throw StoreError(ErrorKind::conflict, "the address is a recipient list's alias: " + address);
        Statement count(db_, "SELECT count(*) FROM addresses WHERE account_id=?");
        count.bind(1, id);
        count.step();
        if (count.integer(0) >= limits_.max_addresses)
            throw StoreError(ErrorKind::limit, "an account may have at most " +
                                                   std::to_string(limits_.max_addresses) +
                                                   " sender addresses");
        Statement st(db_, "INSERT INTO addresses(account_id, domain_id, address, type) VALUES(?,?,?,?)");
        st.bind(1, id).bind(2, domain_id).bind(3, address).bind(4, type);
        st.step();
    }
    refresh_directory();
    return get_address(address);
}

std::vector<Address> Store::list_addresses(const std::string& account_filter) {
    std::lock_guard lock(db_mutex_);
    Statement st(db_, "SELECT s.address,a.name,s.type,s.password_hash<>'',s.created_at,s.reply_to,"
                      "s.reply_to_status,s.id FROM addresses s "
                      "JOIN accounts a ON a.id=s.account_id WHERE ?='' OR a.name=? ORDER BY s.address");
    st.bind(1, account_filter).bind(2, account_filter);
    std::vector<Address> out;
    while (st.step())
        out.push_back({st.text(0), st.text(1), st.text(2), st.integer(3) != 0, st.text(4), st.text(5),
                       st.text(6), st.integer(7)});
    return out;
}

Address Store::get_address(const std::string& address) {
    std::lock_guard lock(db_mutex_);
    Statement st(
        db_,
        "SELECT s.address,a.name,s.type,s.password_hash<>'',s.created_at,s.reply_to,"
        "s.reply_to_status,s.id FROM addresses s JOIN accounts a ON a.id=s.account_id WHERE s.address=?");
    st.bind(1, smtp::mailbox_key(address));
    if (!st.step()) throw StoreError(ErrorKind::not_found, "no such sender address: " + address);
    return {st.text(0), st.text(1), st.text(2), st.integer(3) != 0,
            st.text(4), st.text(5), st.text(6), st.integer(7)};
}

std::int64_t Store::address_deletions_this_month(const std::string& account) {
    std::lock_guard lock(db_mutex_);
    const auto id = account_id(account);
    Statement used(db_, "SELECT count FROM address_deletions WHERE account_id=? AND month=?");
    used.bind(1, id).bind(2, current_month());
    return used.step() ? used.integer(0) : 0;
}

void Store::remove_address(const std::string& address) {
    {
        std::lock_guard lock(db_mutex_);
        Statement find(db_, "SELECT id, account_id FROM addresses WHERE address=?");
        find.bind(1, smtp::mailbox_key(address));
        if (!find.step()) throw StoreError(ErrorKind::not_found, "no such sender address: " + address);
        const auto id = find.integer(0), acct = find.integer(1);
        const auto month = current_month();
        Statement used(db_, "SELECT count FROM address_deletions WHERE account_id=? AND month=?");
        used.bind(1, acct).bind(2, month);
        const std::int64_t n = used.step() ? used.integer(0) : 0;
        if (n >= limits_.max_address_deletions_per_month)
            throw StoreError(ErrorKind::limit, "at most " +
                                                   std::to_string(limits_.max_address_deletions_per_month) +
                                                   " sender addresses may be deleted per calendar month");
        transaction([&] {
            for (const char* sql :
                 {"DELETE FROM reply_to_tokens WHERE address_id=?",
                  "DELETE FROM notify_targets WHERE address=(SELECT address FROM addresses WHERE id=?)",
                  "DELETE FROM addresses WHERE id=?"}) {
                Statement del(db_, sql);
                del.bind(1, id);
                del.step();
            }
            Statement inc(db_, "INSERT INTO address_deletions(account_id, month, count) VALUES(?,?,1) "
                               "ON CONFLICT(account_id, month) DO UPDATE SET count=count+1");
            inc.bind(1, acct).bind(2, month);
            inc.step();
        });
    }
    refresh_directory();
}

void Store::set_password(const std::string& address, const std::string& password) {
    set_passwords({address}, password);
}

void Store::set_passwords(const std::vector<std::string>& addresses, const std::string& password) {
    std::vector<std::string> previous;
    {
        std::lock_guard lock(db_mutex_);
        for (const auto& address : addresses) {
            Statement find(db_, "SELECT password_hash FROM addresses WHERE address=?");
            find.bind(1, smtp::mailbox_key(address));
            if (!find.step()) throw StoreError(ErrorKind::not_found, "no such sender address: " + address);
            previous.push_back(find.text(0));
        }
    }
    for (std::size_t i = 0; i < addresses.size(); ++i)
        if (auto problem = check_password_policy(password, previous[i]))
            throw StoreError(ErrorKind::invalid,
                             addresses.size() == 1 ? *problem : addresses[i] + ": " + *problem);
    std::vector<std::string> hashes; // a salt of its own each, hashed outside the lock
    for (std::size_t i = 0; i < addresses.size(); ++i)
        hashes.push_back(common::hash_password(password, limits_.password_cost));
    {
        std::lock_guard lock(db_mutex_);
        sqlite::transaction(db_, [&] {
            for (std::size_t i = 0; i < addresses.size(); ++i) {
                Statement st(
                    db_, "UPDATE addresses SET previous_hash=password_hash, password_hash=? WHERE address=?");
                st.bind(1, hashes[i]).bind(2, smtp::mailbox_key(addresses[i]));
                st.step();
            }
        });
    }
    refresh_directory();
}

bool Store::upgrade_password_hash(const std::string& address, const std::string& old_hash,
                                  const std::string& password) {
    const auto hash = common::hash_password(password, limits_.password_cost);
    {
        std::lock_guard lock(db_mutex_);
        Statement st(db_, "UPDATE addresses SET password_hash=? WHERE address=? AND password_hash=?");
        st.bind(1, hash).bind(2, smtp::mailbox_key(address)).bind(3, old_hash);
        st.step();
        if (sqlite3_changes(db_) == 0) return false;
    }
    refresh_directory();
    return true;
}

// ---- invalid-address library --------------------------------------------------------------

InvalidAddress Store::add_invalid(const std::string& account, const std::string& address_in,
                                  const std::string& reason) {
    if (!smtp::is_valid_mailbox(address_in, true))
        throw StoreError(ErrorKind::invalid, "not a valid address: " + address_in);
    const std::string address = common::to_lower(address_in);
    {
        std::lock_guard lock(db_mutex_);
        const auto id = account_id(account);
        Statement st(db_, "INSERT INTO invalid_addresses(account_id, address, reason) VALUES(?,?,?) "
                          "ON CONFLICT(account_id, address) DO UPDATE SET reason=excluded.reason");
        st.bind(1, id).bind(2, address).bind(3, reason.empty() ? std::string("manual") : reason);
        st.step();
    }
    refresh_directory();
    for (auto& e : list_invalid(account))
        if (e.address == address) return e;
    throw StoreError(ErrorKind::not_found, "invalid address vanished");
}

bool InvalidFilter::matches(const InvalidAddress& a) const {
    if (!keyword.empty() && a.address.find(common::to_lower(keyword)) == std::string::npos) return false;
    const auto day = a.created_at.substr(0, 10);
    return (from_day.empty() || day >= from_day) && (to_day.empty() || day <= to_day);
}

std::vector<InvalidAddress> Store::list_invalid(const std::string& account_filter) {
    std::lock_guard lock(db_mutex_);
    Statement st(db_,
                 "SELECT a.name,i.address,i.reason,i.created_at FROM invalid_addresses i "
                 "JOIN accounts a ON a.id=i.account_id WHERE ?='' OR a.name=? ORDER BY a.name, i.address");
    st.bind(1, account_filter).bind(2, account_filter);
    std::vector<InvalidAddress> out;
    while (st.step())
        out.push_back({st.text(0), st.text(1), st.text(2), st.text(3)});
    return out;
}

void Store::remove_invalid(const std::string& account, const std::string& address) {
    {
        std::lock_guard lock(db_mutex_);
        const auto id = account_id(account);
        Statement st(db_, "DELETE FROM invalid_addresses WHERE account_id=? AND address=?");
        st.bind(1, id).bind(2, common::to_lower(address));
        st.step();
        if (sqlite3_changes(db_) == 0)
            throw StoreError(ErrorKind::not_found, "not in the invalid-address library: " + address);
    }
    refresh_directory();
}

// ---- IP protection ---------------------------------------------------------------------------

IpProtection Store::get_ip_protection(const std::string& account) {
    std::lock_guard lock(db_mutex_);
    const auto id = account_id(account);
    IpProtection p;
    Statement on(db_, "SELECT ip_protection FROM accounts WHERE id=?");
    on.bind(1, id);
    on.step();
    p.enabled = on.integer(0) != 0;
    Statement st(db_, "SELECT entry FROM ip_entries WHERE account_id=? ORDER BY entry");
    st.bind(1, id);
    while (st.step())
        p.entries.push_back(st.text(0));
    return p;
}

IpProtection Store::set_ip_protection(const std::string& account, bool enabled) {
    {
        std::lock_guard lock(db_mutex_);
        const auto id = account_id(account);
        Statement st(db_, "UPDATE accounts SET ip_protection=? WHERE id=?");
        st.bind(1, static_cast<std::int64_t>(enabled)).bind(2, id);
        st.step();
    }
    refresh_directory();
    return get_ip_protection(account);
}

IpProtection Store::add_ip_entry(const std::string& account, const std::string& entry_in) {
    std::string error;
    const auto range = parse_ip_entry(entry_in, error);
    if (!range) throw StoreError(ErrorKind::invalid, error);
    if (!limits_.allow_private_ip_entries && range_touches_private(*range))
        throw StoreError(ErrorKind::invalid,
                         "private, loopback and link-local addresses are not allowed: " + entry_in);
    const std::string entry(common::trim(entry_in));
    {
        std::lock_guard lock(db_mutex_);
        const auto id = account_id(account);
        Statement count(db_, "SELECT count(*) FROM ip_entries WHERE account_id=? AND entry<>?");
        count.bind(1, id).bind(2, entry);
        count.step();
        if (count.integer(0) >= limits_.max_ip_entries)
            throw StoreError(ErrorKind::limit, "IP protection takes at most " +
                                                   std::to_string(limits_.max_ip_entries) + " entries");
        Statement st(db_, "INSERT OR IGNORE INTO ip_entries(account_id, entry) VALUES(?,?)");
        st.bind(1, id).bind(2, entry);
        st.step();
    }
    refresh_directory();
    return get_ip_protection(account);
}

IpProtection Store::remove_ip_entry(const std::string& account, const std::string& entry) {
    {
        std::lock_guard lock(db_mutex_);
        const auto id = account_id(account);
        Statement st(db_, "DELETE FROM ip_entries WHERE account_id=? AND entry=?");
        st.bind(1, id).bind(2, std::string(common::trim(entry)));
        st.step();
        if (sqlite3_changes(db_) == 0)
            throw StoreError(ErrorKind::not_found, "no such IP protection entry: " + entry);
    }
    refresh_directory();
    return get_ip_protection(account);
}

// ---- directory snapshot ---------------------------------------------------------------------

void Store::refresh_directory(bool lists_changed) {
    auto dir = std::make_shared<Directory>();
    {
        std::lock_guard lock(db_mutex_);
        Statement st(db_,
                     "SELECT s.address,a.name,a.status,s.password_hash,s.type,d.verified,"
                     "CASE WHEN s.reply_to_status='verified' THEN s.reply_to ELSE '' END FROM addresses s "
                     "JOIN accounts a ON a.id=s.account_id JOIN domains d ON d.id=s.domain_id");
        while (st.step())
            dir->senders[st.text(0)] = {st.text(1), st.text(2) == "normal", st.text(3),
                                        st.text(4), st.integer(5) != 0,     st.text(6)};
        Statement doms(db_,
                       "SELECT d.name,a.name,CAST(strftime('%s',d.created_at) AS INTEGER) FROM domains d "
                       "JOIN accounts a ON a.id=d.account_id");
        while (doms.step()) {
            dir->domains[common::to_lower(doms.text(0))] = doms.text(1);
            dir->domain_created[common::to_lower(doms.text(0))] = doms.integer(2);
        }
        Statement acc(db_, "SELECT name,status,daily_quota,monthly_quota,events_enabled FROM accounts");
        while (acc.step())
            dir->accounts[acc.text(0)] = {acc.text(1) == "normal", acc.integer(2), acc.integer(3),
                                          acc.integer(4) != 0};
        Statement inv(
            db_, "SELECT a.name,i.address FROM invalid_addresses i JOIN accounts a ON a.id=i.account_id");
        while (inv.step())
            dir->invalid.insert(inv.text(0) + '\n' + inv.text(1));
        Statement ip(db_,
                     "SELECT a.name, e.entry FROM accounts a LEFT JOIN ip_entries e ON e.account_id=a.id "
                     "WHERE a.ip_protection=1");
        while (ip.step()) {
            auto& ranges = dir->ip_allow[ip.text(0)]; // on with no entries: nobody is allowed
            std::string ignored;
            if (auto r = parse_ip_entry(ip.text(1), ignored)) ranges.push_back(*r);
        }
        if (lists_changed || !aliases_) {
            auto aliases = std::make_shared<Directory::AliasMap>();
            Statement lists(
                db_, "SELECT l.alias,a.name,r.email FROM receiver_lists l JOIN accounts a ON "
                     "a.id=l.account_id LEFT JOIN receivers r ON r.list_id=l.id ORDER BY l.id, r.rowid");
            while (lists.step()) {
                auto& entry = (*aliases)[lists.text(0)];
                entry.account = lists.text(1);
                if (auto email = lists.text(2); !email.empty()) entry.members.push_back(std::move(email));
            }
            aliases_ = std::move(aliases);
        }
        dir->aliases = aliases_;
        Statement keys(db_,
                       "SELECT k.id,a.name,k.secret FROM access_keys k JOIN accounts a ON a.id=k.account_id");
        while (keys.step())
            if (auto secret = secrets_->open(keys.text(2)))
                dir->access_keys[keys.text(0)] = {keys.text(1), *secret};
        load_notify_targets(*dir);
        if (!suppression_index_) rebuild_suppression_index();
        dir->suppression = suppression_index_;
        Statement lv(db_,
                     "SELECT a.name,l.level FROM suppression_levels l JOIN accounts a ON a.id=l.account_id");
        while (lv.step())
            if (auto level = parse_filter_level(lv.text(1))) dir->filter_levels[lv.text(0)] = *level;
        load_dkim_signing(*dir);
        load_traffic(*dir);
        load_tracking(*dir);
    }
    std::lock_guard lock(dir_mutex_);
    directory_ = std::move(dir);
}

std::shared_ptr<const Directory> Store::directory() const {
    std::lock_guard lock(dir_mutex_);
    return directory_;
}

} // namespace mailpush::store
