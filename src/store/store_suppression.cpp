// The suppression list (docs/suppression.md): its rows, the account's filter level, the
// one-click unsubscribe key and tokens, and the in-memory index the SMTP and API paths read.
#include "mailpush/common/base64.hpp"
#include "mailpush/common/calendar.hpp"
#include "mailpush/common/secret_box.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/smtp/command.hpp"
#include "mailpush/sqlite/sqlite.hpp"
#include "mailpush/store/store.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

namespace mailpush::store {
using sqlite::Statement;

namespace {
constexpr const char* kSuppressionSchema = R"SQL(
CREATE TABLE IF NOT EXISTS suppressions (
  id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), address TEXT NOT NULL,
  source TEXT NOT NULL, scope TEXT NOT NULL, created_s INTEGER NOT NULL,
  UNIQUE (account_id, address, scope));
CREATE TABLE IF NOT EXISTS suppression_levels (
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id), level TEXT NOT NULL);
)SQL";

struct LevelName {
    FilterLevel level;
    std::string_view name;
};
constexpr LevelName kLevels[] = {{FilterLevel::mailfrom, "mailfrom"},
                                 {FilterLevel::mailfrom_domain, "mailfrom_domain"},
                                 {FilterLevel::edm_id, "edm_id"},
                                 {FilterLevel::disabled, "disabled"}};

std::string domain_of(std::string_view address) {
    return common::to_lower(std::string(smtp::split_address(address).second));
}

bool valid_domain(const std::string& d) {
    return d.find('.') != std::string::npos && d.front() != '[' && smtp::is_valid_mailbox("x@" + d, false);
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const auto end = text.find('\n', start);
        out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) return out;
        start = end + 1;
    }
}
} // namespace

// ---- pure decisions ---------------------------------------------------------------------------

std::optional<FilterLevel> parse_filter_level(std::string_view text) {
    for (const auto& l : kLevels)
        if (l.name == text) return l.level;
    return std::nullopt;
}

std::string_view to_string(FilterLevel level) {
    for (const auto& l : kLevels)
        if (l.level == level) return l.name;
    return "mailfrom";
}

std::string scope_for(FilterLevel level, std::string_view sender) {
    switch (level) {
    case FilterLevel::mailfrom:
        return "mailfrom:" + common::to_lower(std::string(sender));
    case FilterLevel::mailfrom_domain:
        return "mailfrom_domain:" + domain_of(sender);
    case FilterLevel::edm_id:
        return "";
    case FilterLevel::disabled:
        return "none";
    }
    return "none";
}

bool scope_covers(std::string_view scope, std::string_view sender) {
    if (scope.empty()) return true;
    if (scope.starts_with("mailfrom:")) return common::iequals(scope.substr(9), sender);
    if (scope.starts_with("mailfrom_domain:"))
        return common::iequals(scope.substr(16), smtp::split_address(sender).second);
    return false; // "none"
}

bool SuppressionFilter::matches(const Suppression& s) const {
    if (!address.empty() && !common::iequals(address, s.address)) return false;
    if (start_create && s.created_s < start_create) return false;
    if (end_create && s.created_s > end_create) return false;
    if ((start_bounce || end_bounce) && s.last_bounce_s == 0) return false;
    if (start_bounce && s.last_bounce_s < start_bounce) return false;
    if (end_bounce && s.last_bounce_s > end_bounce) return false;
    return true;
}

void SuppressionIndex::add(const std::string& account, const std::string& address_or_domain,
                           std::string source, std::string scope) {
    entries_[account + '\n' + common::to_lower(address_or_domain)].push_back(
        {std::move(source), std::move(scope)});
}

std::optional<std::string> SuppressionIndex::match(const std::string& account, std::string_view rcpt,
                                                   std::string_view sender, bool unsubscribes) const {
    if (entries_.empty()) return std::nullopt;
    for (const auto& key :
         {account + '\n' + common::to_lower(std::string(rcpt)), account + '\n' + domain_of(rcpt)}) {
        const auto it = entries_.find(key);
        if (it == entries_.end()) continue;
        for (const auto& e : it->second) {
            if (e.source == kSourceUnsubscribe && !unsubscribes) continue;
            if (scope_covers(e.scope, sender)) return e.source;
        }
    }
    return std::nullopt;
}

std::string make_unsubscribe_token(const common::SecretBox& box, const UnsubscribeClaim& c) {
    const std::string payload = "u1\n" + c.account + '\n' + c.sender + '\n' + c.recipient + '\n' +
                                std::string(to_string(c.level)) + '\n' + c.edm_id;
    const std::string sealed = box.seal(payload); // "v1:" + base64
    return common::base64_to_url(sealed.substr(3));
}

std::optional<UnsubscribeClaim> read_unsubscribe_token(const common::SecretBox& box, std::string_view token) {
    if (token.empty() || token.size() > 2048) return std::nullopt;
    const auto sealed = common::base64_from_url(token);
    if (!sealed) return std::nullopt;
    const auto payload = box.open("v1:" + *sealed);
    if (!payload) return std::nullopt;
    const auto f = split_lines(*payload);
    if (f.size() != 6 || f[0] != "u1") return std::nullopt;
    const auto level = parse_filter_level(f[4]);
    if (!level) return std::nullopt;
    return UnsubscribeClaim{f[1], f[2], f[3], *level, f[5]};
}

// ---- Directory --------------------------------------------------------------------------------

FilterLevel Directory::filter_level(const std::string& account) const {
    const auto it = filter_levels.find(account);
    return it == filter_levels.end() ? FilterLevel::mailfrom : it->second;
}

std::optional<std::string> Directory::suppressed(const std::string& account, std::string_view rcpt,
                                                 std::string_view sender, FilterLevel level) const {
    if (is_invalid(account, std::string(rcpt))) return std::string(kSourceHardBounce);
    return suppression->match(account, rcpt, sender, level != FilterLevel::disabled);
}

// ---- Store ------------------------------------------------------------------------------------

void Store::open_suppression(const std::string& data_dir) {
    exec(kSuppressionSchema);
    unsubscribe_box_ =
        std::make_unique<common::SecretBox>((std::filesystem::path(data_dir) / "unsubscribe.key").string());
}

void Store::rebuild_suppression_index() {
    auto index = std::make_shared<SuppressionIndex>();
    Statement st(db_, "SELECT a.name,s.address,s.source,s.scope FROM suppressions s "
                      "JOIN accounts a ON a.id=s.account_id");
    while (st.step())
        index->add(st.text(0), st.text(1), st.text(2), st.text(3));
    suppression_index_ = std::move(index);
}

Suppression Store::add_suppression(const std::string& account, const std::string& address_in,
                                   std::string_view source, const std::string& scope, std::int64_t now_s) {
    const std::string address = common::to_lower(std::string(common::trim(address_in)));
    const bool is_mailbox = address.find('@') != std::string::npos;
    if (address.size() > 254 ||
        (is_mailbox ? !smtp::is_valid_mailbox(address, true) : !valid_domain(address)))
        throw StoreError(ErrorKind::invalid, "not a valid address or domain: " + address_in);
    if (source != kSourceManual && source != kSourceUnsubscribe && source != kSourceComplaint)
        throw StoreError(ErrorKind::invalid, "source must be manual, unsubscribe or complaint");
    if (!scope.empty() && scope != "none" && !scope.starts_with("mailfrom:") &&
        !scope.starts_with("mailfrom_domain:"))
        throw StoreError(ErrorKind::invalid, "not a valid scope: " + scope);
    Suppression entry;
    {
        std::lock_guard lock(db_mutex_);
        const auto id = account_id(account);
        if (limits_.max_suppressions > 0 && source == kSourceManual) { // unsubscribes always count
            Statement count(db_, "SELECT count(*) FROM suppressions WHERE account_id=?");
            count.bind(1, id);
            count.step();
            if (count.integer(0) >= limits_.max_suppressions)
                throw StoreError(ErrorKind::limit, "the suppression list holds at most " +
                                                       std::to_string(limits_.max_suppressions) + " entries");
        }
        Statement st(db_, "INSERT OR IGNORE INTO suppressions(account_id,address,source,scope,created_s) "
                          "VALUES(?,?,?,?,?)");
        st.bind(1, id).bind(2, address).bind(3, std::string(source)).bind(4, scope).bind(5, now_s);
        st.step();
        const bool added = sqlite3_changes(db_) != 0;
        Statement row(
            db_, "SELECT id,source,created_s FROM suppressions WHERE account_id=? AND address=? AND scope=?");
        row.bind(1, id).bind(2, address).bind(3, scope);
        if (!row.step()) throw StoreError(ErrorKind::not_found, "suppression vanished");
        entry = {row.integer(0), account, address, row.text(1), scope, row.integer(2), 0};
        if (!added) return entry; // already there: nothing changes
        rebuild_suppression_index();
    }
    refresh_directory();
    return entry;
}

std::vector<Suppression> Store::list_suppressions(const std::string& account) {
    std::lock_guard lock(db_mutex_);
    const auto id = account_id(account);
    std::vector<Suppression> out;
    Statement st(db_, "SELECT id,address,source,scope,created_s FROM suppressions WHERE account_id=?");
    st.bind(1, id);
    while (st.step())
        out.push_back({st.integer(0), account, st.text(1), st.text(2), st.text(3), st.integer(4), 0});
    // The invalid-address library: hard bounces (and entries an operator added by hand).
    Statement inv(db_, "SELECT rowid,address,reason,created_at FROM invalid_addresses WHERE account_id=?");
    inv.bind(1, id);
    while (inv.step()) {
        const auto t = common::parse_civil_time(inv.text(3), "YYYY-MM-DD hh:mm:ss");
        const std::int64_t when = t ? t->time_since_epoch().count() : 0;
        const bool manual = inv.text(2) == "manual";
        out.push_back({kBounceIdBase + inv.integer(0), account, inv.text(1),
                       std::string(manual ? kSourceManual : kSourceHardBounce), "", when, manual ? 0 : when});
    }
    std::stable_sort(out.begin(), out.end(), [](const Suppression& a, const Suppression& b) {
        return a.created_s != b.created_s ? a.created_s > b.created_s : a.id > b.id;
    });
    return out;
}

void Store::remove_suppressions(const std::string& account, const std::vector<std::int64_t>& ids) {
    {
        std::lock_guard lock(db_mutex_);
        const auto acc = account_id(account);
        transaction([&] {
            for (const auto id : ids) {
                const bool bounce = id >= kBounceIdBase;
                Statement st(db_, bounce ? "DELETE FROM invalid_addresses WHERE rowid=? AND account_id=?"
                                         : "DELETE FROM suppressions WHERE id=? AND account_id=?");
                st.bind(1, bounce ? id - kBounceIdBase : id).bind(2, acc);
                st.step();
                if (sqlite3_changes(db_) == 0)
                    throw StoreError(ErrorKind::not_found, "no such suppression: " + std::to_string(id));
            }
        });
        rebuild_suppression_index();
    }
    refresh_directory();
}

FilterLevel Store::suppression_level(const std::string& account) {
    std::lock_guard lock(db_mutex_);
    Statement st(db_, "SELECT level FROM suppression_levels WHERE account_id=?");
    st.bind(1, account_id(account));
    if (!st.step()) return FilterLevel::mailfrom;
    return parse_filter_level(st.text(0)).value_or(FilterLevel::mailfrom);
}

FilterLevel Store::set_suppression_level(const std::string& account, FilterLevel level) {
    {
        std::lock_guard lock(db_mutex_);
        Statement st(db_, "INSERT INTO suppression_levels(account_id,level) VALUES(?,?) "
                          "ON CONFLICT(account_id) DO UPDATE SET level=excluded.level");
        st.bind(1, account_id(account)).bind(2, std::string(to_string(level)));
        st.step();
    }
    refresh_directory();
    return level;
}

std::string Store::unsubscribe_token(const UnsubscribeClaim& claim) const {
    return make_unsubscribe_token(*unsubscribe_box_, claim);
}

void Store::set_link_base(std::string url) {
    std::lock_guard lock(link_mutex_);
    link_base_ = std::move(url);
}

std::string Store::link_base() const {
    std::lock_guard lock(link_mutex_);
    return link_base_;
}

std::string Store::unsubscribe_lines(const UnsubscribeClaim& claim) const {
    std::string base;
    {
        std::lock_guard lock(link_mutex_);
        base = link_base_;
    }
    return unsubscribe_header_lines(base, unsubscribe_token(claim));
}

std::optional<UnsubscribeClaim> Store::read_unsubscribe(std::string_view token) const {
    return read_unsubscribe_token(*unsubscribe_box_, token);
}

std::optional<UnsubscribeClaim> Store::unsubscribe(std::string_view token, std::int64_t now_s) {
    auto claim = read_unsubscribe(token);
    if (!claim) return std::nullopt;
    try {
        add_suppression(claim->account, claim->recipient, kSourceUnsubscribe,
                        scope_for(claim->level, claim->sender), now_s);
    } catch (const StoreError&) {
        return std::nullopt; // the account is gone, or its list is full
    }
    return claim;
}

} // namespace mailpush::store
