// The console password of an account (docs/console.md): kept as SMTP passwords are, an Argon2id
// hash under the same policy, in two columns of accounts.
#include "mailpush/common/password_hash.hpp"
#include "mailpush/sqlite/sqlite.hpp"
#include "mailpush/store/password_policy.hpp"
#include "mailpush/store/store.hpp"

namespace mailpush::store {
using sqlite::Statement;

void Store::open_console() {
    if (!has_column("accounts", "console_password_hash")) {
        exec("ALTER TABLE accounts ADD COLUMN console_password_hash TEXT NOT NULL DEFAULT ''");
        exec("ALTER TABLE accounts ADD COLUMN console_previous_hash TEXT NOT NULL DEFAULT ''");
    }
}

void Store::set_console_password(const std::string& account, const std::string& password) {
    std::string previous;
    {
        std::lock_guard lock(db_mutex_);
        Statement find(db_, "SELECT console_password_hash FROM accounts WHERE name=?");
        find.bind(1, account);
        if (!find.step()) throw StoreError(ErrorKind::not_found, "no such account: " + account);
        previous = find.text(0);
    }
    if (auto problem = check_password_policy(password, previous))
        throw StoreError(ErrorKind::invalid, *problem);
    const auto hash = common::hash_password(password, limits_.password_cost); // outside the lock
    std::lock_guard lock(db_mutex_);
    Statement st(db_,
                 "UPDATE accounts SET console_previous_hash=console_password_hash, console_password_hash=? "
                 "WHERE name=?");
    st.bind(1, hash).bind(2, account);
    st.step();
}

std::string Store::console_password_hash(const std::string& account) {
    std::lock_guard lock(db_mutex_);
    Statement st(db_, "SELECT console_password_hash FROM accounts WHERE name=?");
    st.bind(1, account);
    return st.step() ? st.text(0) : std::string();
}

} // namespace mailpush::store
