// Access keys (id + secret, the secret sealed at rest) and reply-to verification tokens.
#include "mailpush/common/random.hpp"
#include "mailpush/common/secret_box.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/smtp/command.hpp"
#include "mailpush/sqlite/sqlite.hpp"
#include "mailpush/store/store.hpp"

namespace mailpush::store {
using sqlite::Statement;

namespace {
constexpr std::int64_t kReplyToWindowSeconds = 600; // link validity and request interval (SPEC §6)
}

AccessKey Store::create_access_key(const std::string& account) {
    AccessKey key;
    key.id = "MPAK" + common::random_token(20);
    key.secret = common::random_token(30);
    key.account = account;
    {
        std::lock_guard lock(db_mutex_);
        const auto id = account_id(account);
        Statement count(db_, "SELECT count(*) FROM access_keys WHERE account_id=?");
        count.bind(1, id);
        count.step();
        if (count.integer(0) >= limits_.max_access_keys)
            throw StoreError(ErrorKind::limit, "an account may have at most " +
                                                   std::to_string(limits_.max_access_keys) + " access keys");
        Statement st(db_, "INSERT INTO access_keys(id, account_id, secret) VALUES(?,?,?)");
        st.bind(1, key.id).bind(2, id).bind(3, secrets_->seal(key.secret));
        st.step();
        Statement when(db_, "SELECT created_at FROM access_keys WHERE id=?");
        when.bind(1, key.id);
        when.step();
        key.created_at = when.text(0);
    }
    refresh_directory();
    return key;
}

std::vector<AccessKey> Store::list_access_keys(const std::string& account_filter) {
    std::lock_guard lock(db_mutex_);
    Statement st(db_,
                 "SELECT k.id,a.name,k.created_at FROM access_keys k JOIN accounts a ON a.id=k.account_id "
                 "WHERE ?='' OR a.name=? ORDER BY k.created_at, k.id");
    st.bind(1, account_filter).bind(2, account_filter);
    std::vector<AccessKey> out;
    while (st.step())
        out.push_back({st.text(0), st.text(1), "", st.text(2)});
    return out;
}

void Store::remove_access_key(const std::string& id) {
    {
        std::lock_guard lock(db_mutex_);
        Statement st(db_, "DELETE FROM access_keys WHERE id=?");
        st.bind(1, id);
        st.step();
        if (sqlite3_changes(db_) == 0) throw StoreError(ErrorKind::not_found, "no such access key: " + id);
    }
    refresh_directory();
}

bool Store::remember_nonce(const std::string& nonce, std::int64_t now_s) {
    std::lock_guard lock(db_mutex_);
    Statement st(db_, "INSERT OR IGNORE INTO api_nonces(nonce, seen_s) VALUES(?, ?)");
    st.bind(1, nonce).bind(2, now_s);
    st.step();
    return sqlite3_changes(db_) == 1;
}

void Store::forget_nonces_before(std::int64_t cutoff_s) {
    std::lock_guard lock(db_mutex_);
    Statement st(db_, "DELETE FROM api_nonces WHERE seen_s < ?");
    st.bind(1, cutoff_s);
    st.step();
}

std::string Store::request_reply_to(const std::string& address, const std::string& reply_to,
                                    std::int64_t now_s) {
    if (!smtp::is_valid_mailbox(reply_to, false) || reply_to.front() == '"')
        throw StoreError(ErrorKind::invalid, "not a valid reply-to address: " + reply_to);
    const std::string token = common::random_token(32);
    {
        std::lock_guard lock(db_mutex_);
        Statement find(db_, "SELECT id, reply_to_requested_s FROM addresses WHERE address=?");
        find.bind(1, smtp::mailbox_key(address));
        if (!find.step()) throw StoreError(ErrorKind::not_found, "no such sender address: " + address);
        const auto id = find.integer(0);
        if (find.integer(1) != 0 && now_s < find.integer(1) + kReplyToWindowSeconds)
            throw StoreError(ErrorKind::limit,
                             "a reply-to verification may be requested once per 10 minutes");
        transaction([&] {
            Statement upd(
                db_, "UPDATE addresses SET reply_to=?, reply_to_status='pending', reply_to_requested_s=? "
                     "WHERE id=?");
            upd.bind(1, reply_to).bind(2, now_s).bind(3, id);
            upd.step();
            Statement old(db_, "DELETE FROM reply_to_tokens WHERE address_id=?");
            old.bind(1, id);
            old.step();
            Statement ins(
                db_, "INSERT INTO reply_to_tokens(token, address_id, reply_to, expires_s) VALUES(?,?,?,?)");
            ins.bind(1, token).bind(2, id).bind(3, reply_to).bind(4, now_s + kReplyToWindowSeconds);
            ins.step();
        });
    }
    refresh_directory();
    return token;
}

Address Store::confirm_reply_to(const std::string& token, std::int64_t now_s, const std::string& account) {
    std::string address;
    {
        std::lock_guard lock(db_mutex_);
        Statement find(db_, "SELECT t.address_id, t.reply_to, t.expires_s, s.address FROM reply_to_tokens t "
                            "JOIN addresses s ON s.id=t.address_id JOIN accounts a ON a.id=s.account_id "
                            "WHERE t.token=? AND (?='' OR a.name=?)");
        find.bind(1, token).bind(2, account).bind(3, account);
        if (!find.step()) throw StoreError(ErrorKind::not_found, "unknown or already used verification link");
        if (now_s > find.integer(2))
            throw StoreError(ErrorKind::invalid, "the verification link has expired (valid 10 minutes)");
        address = find.text(3);
        const auto id = find.integer(0);
        const auto reply_to = find.text(1);
        transaction([&] {
            Statement upd(db_, "UPDATE addresses SET reply_to_status='verified' WHERE id=? AND reply_to=?");
            upd.bind(1, id).bind(2, reply_to);
            upd.step();
            Statement del(db_, "DELETE FROM reply_to_tokens WHERE address_id=?");
            del.bind(1, id);
            del.step();
        });
    }
    refresh_directory();
    return get_address(address);
}

} // namespace mailpush::store
