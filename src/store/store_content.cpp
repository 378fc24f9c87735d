// Mail tags, recipient lists and their members, and templates (SPEC §6), with the seeds' limits.
#include "mailpush/common/calendar.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/smtp/command.hpp"
#include "mailpush/sqlite/sqlite.hpp"
#include "mailpush/store/store.hpp"

#include <unordered_set>

namespace mailpush::store {
using sqlite::Statement;

using common::utf8_length;

namespace {
bool word_chars(const std::string& s) {
    for (const char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    return true;
}

void require(bool ok, const std::string& message) {
    if (!ok) throw StoreError(ErrorKind::invalid, message);
}

// "1990-01-02", "1990/1/2" (the documents' own example) and the like: year, month, day.
bool valid_birthday(const std::string& b) {
    if (b.empty()) return true;
    int parts[3] = {0, 0, 0};
    std::size_t digits[3] = {0, 0, 0}, part = 0;
    char separator = 0;
    for (const char c : b) {
        if (c >= '0' && c <= '9') {
            parts[part] = parts[part] * 10 + (c - '0');
            if (++digits[part] > 4) return false;
        } else if ((c == '-' || c == '/') && part < 2 && (separator == 0 || separator == c)) {
            separator = c;
            ++part;
        } else {
            return false;
        }
    }
    return part == 2 && digits[0] == 4 && digits[1] >= 1 && digits[1] <= 2 && digits[2] >= 1 &&
           digits[2] <= 2 &&
           common::valid_civil_date(parts[0], static_cast<unsigned>(parts[1]),
                                    static_cast<unsigned>(parts[2]));
}

bool valid_mobile(const std::string& m) {
    if (m.size() > 20) return false;
    for (const char c : m)
        if (!((c >= '0' && c <= '9') || c == '+' || c == '-' || c == ' ')) return false;
    return true;
}

// nullopt if the row is acceptable, otherwise why not.
std::optional<std::string> row_problem(const ReceiverRow& r) {
    if (r.email.empty()) return "EAddr is required";
    if (!smtp::is_valid_mailbox(r.email, false) || r.email.front() == '"')
        return "EAddr is not a valid address";
    if (utf8_length(r.user_name) > 75) return "UserName is longer than 75 characters";
    if (utf8_length(r.nick_name) > 25) return "NickName is longer than 25 characters";
    if (utf8_length(r.gender) > 10) return "Gender is longer than 10 characters";
    if (!valid_birthday(r.birthday)) return "Birthday must be a date such as 1990-01-02 or 1990/1/2";
    if (!valid_mobile(r.mobile)) return "Mobile must be at most 20 digits, +, - or spaces";
    return std::nullopt;
}
} // namespace

std::int64_t Store::list_id(std::int64_t account, const std::string& name) {
    Statement st(db_, "SELECT id FROM receiver_lists WHERE account_id=? AND name=?");
    st.bind(1, account).bind(2, name);
    if (!st.step()) throw StoreError(ErrorKind::not_found, "no such recipient list: " + name);
    return st.integer(0);
}

// ---- tags -----------------------------------------------------------------------------------

Tag Store::add_tag(const std::string& account, const std::string& name, const std::string& description) {
    require(!name.empty() && name.size() <= 128 && word_chars(name),
            "tag name must be 1-128 letters, digits or underscores");
    require(utf8_length(description) <= 256, "tag description is longer than 256 characters");
    std::lock_guard lock(db_mutex_);
    const auto id = account_id(account);
    Statement exists(db_, "SELECT 1 FROM tags WHERE account_id=? AND name=?");
    exists.bind(1, id).bind(2, name);
    if (exists.step()) throw StoreError(ErrorKind::conflict, "tag already exists: " + name);
    Statement count(db_, "SELECT count(*) FROM tags WHERE account_id=?");
    count.bind(1, id);
    count.step();
    if (count.integer(0) >= limits_.max_tags)
        throw StoreError(ErrorKind::limit,
                         "an account may have at most " + std::to_string(limits_.max_tags) + " tags");
    Statement st(db_, "INSERT INTO tags(account_id, name, description) VALUES(?,?,?)");
    st.bind(1, id).bind(2, name).bind(3, description);
    st.step();
    Statement back(db_, "SELECT created_at, rowid FROM tags WHERE account_id=? AND name=?");
    back.bind(1, id).bind(2, name);
    back.step();
    return {account, name, description, back.text(0), back.integer(1)};
}

std::vector<Tag> Store::list_tags(const std::string& account_filter) {
    std::lock_guard lock(db_mutex_);
    Statement st(db_, "SELECT a.name,t.name,t.description,t.created_at,t.rowid FROM tags t "
                      "JOIN accounts a ON a.id=t.account_id WHERE ?='' OR a.name=? ORDER BY t.rowid");
    st.bind(1, account_filter).bind(2, account_filter);
    std::vector<Tag> out;
    while (st.step())
        out.push_back({st.text(0), st.text(1), st.text(2), st.text(3), st.integer(4)});
    return out;
}

Tag Store::update_tag(const std::string& account, const std::string& name, const std::string& new_name,
                      const std::string& description) {
    require(!new_name.empty() && new_name.size() <= 128 && word_chars(new_name),
            "tag name must be 1-128 letters, digits or underscores");
    require(utf8_length(description) <= 256, "tag description is longer than 256 characters");
    {
        std::lock_guard lock(db_mutex_);
        const auto id = account_id(account);
        if (new_name != name) {
            Statement clash(db_, "SELECT 1 FROM tags WHERE account_id=? AND name=?");
            clash.bind(1, id).bind(2, new_name);
            if (clash.step()) throw StoreError(ErrorKind::conflict, "tag already exists: " + new_name);
        }
        Statement st(db_, "UPDATE tags SET name=?, description=? WHERE account_id=? AND name=?");
        st.bind(1, new_name).bind(2, description).bind(3, id).bind(4, name);
        st.step();
        if (sqlite3_changes(db_) == 0) throw StoreError(ErrorKind::not_found, "no such tag: " + name);
    }
    for (auto& t : list_tags(account))
        if (t.name == new_name) return t;
    throw StoreError(ErrorKind::not_found, "no such tag: " + new_name);
}

void Store::remove_tag(const std::string& account, const std::string& name) {
    std::lock_guard lock(db_mutex_);
    const auto id = account_id(account);
    Statement st(db_, "DELETE FROM tags WHERE account_id=? AND name=?");
    st.bind(1, id).bind(2, name);
    st.step();
    if (sqlite3_changes(db_) == 0) throw StoreError(ErrorKind::not_found, "no such tag: " + name);
}

bool Store::has_tag(const std::string& account, const std::string& name) {
    std::lock_guard lock(db_mutex_);
    Statement st(db_,
                 "SELECT 1 FROM tags t JOIN accounts a ON a.id=t.account_id WHERE a.name=? AND t.name=?");
    st.bind(1, account).bind(2, name);
    return st.step();
}

// ---- recipient lists --------------------------------------------------------------------------

ReceiverList Store::add_receiver_list(const std::string& account, const std::string& name,
                                      const std::string& alias_in, const std::string& description) {
    require(!name.empty() && utf8_length(name) <= 30, "recipient list name must be 1-30 characters");
    require(smtp::is_valid_mailbox(alias_in, false) && alias_in.front() != '"' && alias_in.size() < 30,
            "the list alias must be an address shorter than 30 characters");
    require(utf8_length(description) <= 256, "description is longer than 256 characters");
    const std::string alias = common::to_lower(alias_in);
    {
        std::lock_guard lock(db_mutex_);
        const auto id = account_id(account);
        Statement exists(db_, "SELECT 1 FROM receiver_lists WHERE (account_id=? AND name=?) OR alias=?");
        exists.bind(1, id).bind(2, name).bind(3, alias);
        if (exists.step())
            throw StoreError(ErrorKind::conflict, "a recipient list with this name or alias already exists");
        // Compared the way alias lookups compare (lowercased): `News@d` and `news@d` collide.
        Statement sender(db_, "SELECT 1 FROM addresses WHERE lower(address)=?");
        sender.bind(1, alias);
        if (sender.step()) throw StoreError(ErrorKind::conflict, "the alias is a sender address");
        Statement count(db_, "SELECT count(*) FROM receiver_lists WHERE account_id=?");
        count.bind(1, id);
        count.step();
        if (count.integer(0) >= limits_.max_receiver_lists)
            throw StoreError(ErrorKind::limit, "an account may have at most " +
                                                   std::to_string(limits_.max_receiver_lists) +
                                                   " recipient lists");
        Statement st(db_, "INSERT INTO receiver_lists(account_id, name, alias, description) VALUES(?,?,?,?)");
        st.bind(1, id).bind(2, name).bind(3, alias).bind(4, description);
        st.step();
    }
    refresh_directory(true);
    return get_receiver_list(account, name);
}

std::vector<ReceiverList> Store::list_receiver_lists(const std::string& account_filter) {
    std::lock_guard lock(db_mutex_);
    Statement st(db_, "SELECT a.name,l.name,l.alias,l.description,"
                      "(SELECT count(*) FROM receivers r WHERE r.list_id=l.id),l.created_at,l.id "
                      "FROM receiver_lists l JOIN accounts a ON a.id=l.account_id WHERE ?='' OR a.name=? "
                      "ORDER BY l.id");
    st.bind(1, account_filter).bind(2, account_filter);
    std::vector<ReceiverList> out;
    while (st.step())
        out.push_back(
            {st.text(0), st.text(1), st.text(2), st.text(3), st.integer(4), st.text(5), st.integer(6)});
    return out;
}

ReceiverList Store::get_receiver_list(const std::string& account, const std::string& name) {
    for (auto& l : list_receiver_lists(account))
        if (l.name == name) return l;
    throw StoreError(ErrorKind::not_found, "no such recipient list: " + name);
}

void Store::remove_receiver_list(const std::string& account, const std::string& name) {
    {
        std::lock_guard lock(db_mutex_);
        const auto id = list_id(account_id(account), name);
        transaction([&] {
            for (const char* sql :
                 {"DELETE FROM receivers WHERE list_id=?", "DELETE FROM receiver_lists WHERE id=?"}) {
                Statement st(db_, sql);
                st.bind(1, id);
                st.step();
            }
        });
    }
    refresh_directory(true);
}

UploadReport Store::add_receivers(const std::string& account, const std::string& list,
                                  const std::vector<ReceiverRow>& rows) {
    UploadReport report;
    report.rows = rows.size();
    {
        std::lock_guard lock(db_mutex_);
        const auto id = list_id(account_id(account), list);
        Statement count(db_, "SELECT count(*) FROM receivers WHERE list_id=?");
        count.bind(1, id);
        count.step();
        std::int64_t members = count.integer(0);
        // "The most a list holds also depends on the daily quota" (the documents): the smaller.
        Statement quota(db_, "SELECT daily_quota FROM accounts WHERE name=?");
        quota.bind(1, account);
        quota.step();
        const auto cap = std::min<std::int64_t>(limits_.max_receivers_per_list, quota.integer(0));
        std::unordered_set<std::string> seen;
        transaction([&] {
            for (std::size_t i = 0; i < rows.size(); ++i) {
                const auto& r = rows[i];
                const std::string email = common::to_lower(r.email);
                if (auto problem = row_problem(r)) {
                    report.errors.push_back({i + 1, r.email, *problem});
                    continue;
                }
                if (!seen.insert(email).second) {
                    report.errors.push_back({i + 1, r.email, "duplicate address in this upload"});
                    continue;
                }
                Statement exists(db_, "SELECT 1 FROM receivers WHERE list_id=? AND email=?");
                exists.bind(1, id).bind(2, email);
                const bool update = exists.step();
                if (!update && members >= cap) {
                    report.errors.push_back({i + 1, r.email,
                                             "the list is full (" + std::to_string(cap) +
                                                 " addresses: the list limit or the daily quota)"});
                    continue;
                }
                Statement st(
                    db_, "INSERT INTO receivers(list_id,email,user_name,nick_name,gender,birthday,mobile) "
                         "VALUES(?,?,?,?,?,?,?) ON CONFLICT(list_id,email) DO UPDATE SET "
                         "user_name=excluded.user_name, nick_name=excluded.nick_name, "
                         "gender=excluded.gender, birthday=excluded.birthday, mobile=excluded.mobile");
                st.bind(1, id).bind(2, email).bind(3, r.user_name).bind(4, r.nick_name).bind(5, r.gender);
                st.bind(6, r.birthday).bind(7, r.mobile);
                st.step();
                if (update) {
                    ++report.updated;
                } else {
                    ++report.added;
                    ++members;
                }
            }
        });
    }
    if (report.added + report.updated > 0) refresh_directory(true);
    return report;
}

std::vector<ReceiverRow> Store::list_receivers(const std::string& account, const std::string& list,
                                               const std::string& key_filter, std::size_t limit) {
    std::lock_guard lock(db_mutex_);
    const auto id = list_id(account_id(account), list);
    Statement st(db_, "SELECT email,user_name,nick_name,gender,birthday,mobile FROM receivers "
                      "WHERE list_id=? AND (?='' OR instr(email, ?)>0) ORDER BY rowid LIMIT ?");
    const std::string key = common::to_lower(key_filter);
    st.bind(1, id).bind(2, key).bind(3, key).bind(4, static_cast<std::int64_t>(limit));
    std::vector<ReceiverRow> out;
    while (st.step())
        out.push_back({st.text(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5)});
    return out;
}

void Store::remove_receiver(const std::string& account, const std::string& list, const std::string& email) {
    {
        std::lock_guard lock(db_mutex_);
        const auto id = list_id(account_id(account), list);
        Statement st(db_, "DELETE FROM receivers WHERE list_id=? AND email=?");
        st.bind(1, id).bind(2, common::to_lower(email));
        st.step();
        if (sqlite3_changes(db_) == 0) throw StoreError(ErrorKind::not_found, "not on the list: " + email);
    }
    refresh_directory(true);
}

// ---- templates ------------------------------------------------------------------------------

namespace {
void check_template(const TemplateInput& in, const StoreLimits& limits) {
    require(!in.name.empty() && utf8_length(in.name) <= 30, "template name must be 1-30 characters");
    require(!in.subject.empty() && utf8_length(in.subject) <= limits.max_template_subject_chars,
            "template subject must be 1-" + std::to_string(limits.max_template_subject_chars) +
                " characters");
    require(!in.body.empty(), "template body is empty");
    if (in.body.size() > limits.max_template_body_bytes)
        throw StoreError(ErrorKind::limit, "template body is larger than " +
                                               std::to_string(limits.max_template_body_bytes / 1024) + " KB");
    require(in.type.empty() || in.type == "html" || in.type == "text",
            "template type must be \"html\" or \"text\"");
    require(utf8_length(in.from_alias) <= 15, "from alias is longer than 15 characters");
}

const char* kTemplateColumns =
    "SELECT "
    "a.name,t.name,t.subject,t.body,t.from_alias,t.type,t.status,t.reason,t.created_at,t.updated_at,t.rowid "
    "FROM templates t JOIN accounts a ON a.id=t.account_id ";

Template template_from(const Statement& st) {
    return {st.text(0), st.text(1), st.text(2), st.text(3), st.text(4),    st.text(5),
            st.text(6), st.text(7), st.text(8), st.text(9), st.integer(10)};
}
} // namespace

Template Store::add_template(const std::string& account, const TemplateInput& in) {
    check_template(in, limits_);
    {
        std::lock_guard lock(db_mutex_);
        const auto id = account_id(account);
        Statement exists(db_, "SELECT 1 FROM templates WHERE account_id=? AND name=?");
        exists.bind(1, id).bind(2, in.name);
        if (exists.step()) throw StoreError(ErrorKind::conflict, "template already exists: " + in.name);
        Statement count(db_, "SELECT count(*) FROM templates WHERE account_id=?");
        count.bind(1, id);
        count.step();
        if (count.integer(0) >= limits_.max_templates)
            throw StoreError(ErrorKind::limit, "an account may have at most " +
                                                   std::to_string(limits_.max_templates) + " templates");
        Statement st(db_, "INSERT INTO templates(account_id,name,subject,body,from_alias,type,status) "
                          "VALUES(?,?,?,?,?,?,'draft')");
        st.bind(1, id).bind(2, in.name).bind(3, in.subject).bind(4, in.body).bind(5, in.from_alias);
        st.bind(6, in.type.empty() ? std::string("html") : in.type);
        st.step();
    }
    return get_template(account, in.name);
}

std::vector<Template> Store::list_templates(const std::string& account_filter) {
    std::lock_guard lock(db_mutex_);
    Statement st(db_, (std::string(kTemplateColumns) + "WHERE ?='' OR a.name=? ORDER BY t.rowid").c_str());
    st.bind(1, account_filter).bind(2, account_filter);
    std::vector<Template> out;
    while (st.step())
        out.push_back(template_from(st));
    return out;
}

Template Store::get_template(const std::string& account, const std::string& name) {
    std::lock_guard lock(db_mutex_);
    Statement st(db_, (std::string(kTemplateColumns) + "WHERE a.name=? AND t.name=?").c_str());
    st.bind(1, account).bind(2, name);
    if (!st.step()) throw StoreError(ErrorKind::not_found, "no such template: " + name);
    return template_from(st);
}

Template Store::update_template(const std::string& account, const std::string& name,
                                const TemplateInput& in_raw) {
    TemplateInput in = in_raw;
    if (in.name.empty()) in.name = name;
    check_template(in, limits_);
    {
        std::lock_guard lock(db_mutex_);
        const auto id = account_id(account);
        if (in.name != name) {
            Statement clash(db_, "SELECT 1 FROM templates WHERE account_id=? AND name=?");
            clash.bind(1, id).bind(2, in.name);
            if (clash.step()) throw StoreError(ErrorKind::conflict, "template already exists: " + in.name);
        }
        // Any edit sends the template back to draft: it must be approved again (SPEC §6).
        Statement st(db_,
                     "UPDATE templates SET name=?, subject=?, body=?, from_alias=?, type=?, status='draft', "
                     "reason='', updated_at=datetime('now') WHERE account_id=? AND name=?");
        st.bind(1, in.name).bind(2, in.subject).bind(3, in.body).bind(4, in.from_alias);
        st.bind(5, in.type.empty() ? std::string("html") : in.type).bind(6, id).bind(7, name);
        st.step();
        if (sqlite3_changes(db_) == 0) throw StoreError(ErrorKind::not_found, "no such template: " + name);
    }
    return get_template(account, in.name);
}

Template Store::set_template_state(const std::string& account, const std::string& name,
                                   const std::string& action, const std::string& reason) {
    const auto current = get_template(account, name).status;
    std::string next;
    if (action == "submit" && (current == "draft" || current == "rejected"))
        next = "submitted";
    else if (action == "approve" && current == "submitted")
        next = "approved";
    else if (action == "reject" && current == "submitted")
        next = "rejected";
    else if (action != "submit" && action != "approve" && action != "reject")
        throw StoreError(ErrorKind::invalid, "action must be submit, approve or reject");
    else
        throw StoreError(ErrorKind::conflict, "cannot " + action + " a template that is " + current);
    {
        std::lock_guard lock(db_mutex_);
        Statement st(db_, "UPDATE templates SET status=?, reason=?, updated_at=datetime('now') "
                          "WHERE account_id=? AND name=?");
        st.bind(1, next).bind(2, action == "reject" ? reason : std::string()).bind(3, account_id(account));
        st.bind(4, name);
        st.step();
    }
    return get_template(account, name);
}

void Store::remove_template(const std::string& account, const std::string& name) {
    std::lock_guard lock(db_mutex_);
    Statement st(db_, "DELETE FROM templates WHERE account_id=? AND name=?");
    st.bind(1, account_id(account)).bind(2, name);
    st.step();
    if (sqlite3_changes(db_) == 0) throw StoreError(ErrorKind::not_found, "no such template: " + name);
}

} // namespace mailpush::store
