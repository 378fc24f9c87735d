// Notification targets (SPEC §7): where an account's, or one sender address's, delivery events
// go. Validated here so every path (admin API, mailpushctl) gets the same rules.
#include "mailpush/common/address_scope.hpp"
#include "mailpush/common/http_url.hpp"
#include "mailpush/common/secret_box.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/smtp/command.hpp"
#include "mailpush/sqlite/sqlite.hpp"
#include "mailpush/store/store.hpp"

#include <algorithm>
#include <iterator>

namespace mailpush::store {
using sqlite::Statement;

namespace {
constexpr std::size_t kMaxTargetLength = 2048;
constexpr std::size_t kMaxSecretLength = 128;

std::string join_events(const std::vector<std::string>& events) {
    std::string out;
    for (const auto& e : events)
        out += (out.empty() ? "" : ",") + e;
    return out;
}

bool known_event(const std::string& e) {
    return std::any_of(std::begin(kNotifyEventTypes), std::end(kNotifyEventTypes),
                       [&](const char* t) { return e == t; });
}
} // namespace

bool NotifyTarget::wants(const std::string& event_type) const {
    return std::find(events.begin(), events.end(), event_type) != events.end();
}

const NotifyTarget* Directory::notify_target(const std::string& account, const std::string& address) const {
    if (notify.empty()) return nullptr;
    if (auto it = notify.find(account + '\n' + smtp::mailbox_key(address)); it != notify.end())
        return &it->second;
    if (auto it = notify.find(account + '\n'); it != notify.end()) return &it->second;
    return nullptr;
}

NotifyTarget Store::set_notify_target(const std::string& account, const std::string& address,
                                      const std::string& target, const std::vector<std::string>& events,
                                      const std::string& secret) {
    NotifyTarget t;
    t.account = account;
    t.address = address.empty() ? "" : smtp::mailbox_key(address);
    t.target = target;
    if (target != "queue" && (target.size() > kMaxTargetLength || !common::parse_http_url(target)))
        throw StoreError(ErrorKind::invalid,
                         "target: must be \"queue\" or an http:// or https:// URL (at most 2048 characters)");
    if (target != "queue" && !limits_.allow_private_notify_targets) {
        // A host name is judged again at each POST, on the addresses it then resolves to.
        const auto host = common::parse_http_url(target)->host;
        const auto scope = common::address_scope(host);
        if (scope != common::AddressScope::invalid && scope != common::AddressScope::global)
            throw StoreError(ErrorKind::invalid, "target: " + host + " is not a global address (" +
                                                     std::string(common::scope_name(scope)) +
                                                     "); allow_private_targets is off");
    }
    for (const auto& e : events) {
        if (!known_event(e))
            throw StoreError(ErrorKind::invalid, "events: unknown event type \"" + e +
                                                     "\" (Deliver:SendSuccessfully, Deliver:SendFailed, "
                                                     "Deliver:Open, Deliver:Click)");
        if (!t.wants(e)) t.events.push_back(e);
    }
    if (t.events.empty()) t.events.assign(std::begin(kNotifyEventTypes), std::end(kNotifyEventTypes));
    if (secret.size() > kMaxSecretLength || secret.find_first_of("\r\n") != std::string::npos)
        throw StoreError(ErrorKind::invalid, "secret: at most 128 characters on one line");
    if (!secret.empty() && target == "queue")
        throw StoreError(ErrorKind::invalid, "secret: only an HTTP target signs what it sends");
    {
        std::lock_guard lock(db_mutex_);
        const auto id = account_id(account);
        if (!t.address.empty()) {
            Statement own(db_, "SELECT 1 FROM addresses WHERE address=? AND account_id=?");
            own.bind(1, t.address).bind(2, id);
            if (!own.step())
                throw StoreError(ErrorKind::not_found,
                                 "no such sender address in " + account + ": " + address);
        }
        Statement st(db_,
                     "INSERT OR REPLACE INTO notify_targets(account_id, address, target, events, secret) "
                     "VALUES(?,?,?,?,?)");
        st.bind(1, id).bind(2, t.address).bind(3, t.target).bind(4, join_events(t.events));
        st.bind(5, secret.empty() ? std::string() : secrets_->seal(secret));
        st.step();
    }
    refresh_directory();
    t.secret = secret.empty() ? "" : "(set)";
    return t;
}

std::vector<NotifyTarget> Store::list_notify_targets(const std::string& account_filter) {
    std::lock_guard lock(db_mutex_);
    Statement st(db_,
                 "SELECT a.name, n.address, n.target, n.events, n.secret, n.created_at FROM notify_targets n "
                 "JOIN accounts a ON a.id=n.account_id WHERE ?='' OR a.name=? ORDER BY a.name, n.address");
    st.bind(1, account_filter).bind(2, account_filter);
    std::vector<NotifyTarget> out;
    while (st.step())
        out.push_back({st.text(0), st.text(1), st.text(2), common::split_list(st.text(3), ','),
                       st.text(4).empty() ? "" : "(set)", st.text(5)});
    return out;
}

void Store::remove_notify_target(const std::string& account, const std::string& address) {
    {
        std::lock_guard lock(db_mutex_);
        const auto id = account_id(account);
        Statement st(db_, "DELETE FROM notify_targets WHERE account_id=? AND address=?");
        st.bind(1, id).bind(2, address.empty() ? std::string() : smtp::mailbox_key(address));
        st.step();
        if (sqlite3_changes(db_) == 0)
            throw StoreError(ErrorKind::not_found, "no notification target for " + account +
                                                       (address.empty() ? "" : " " + address));
    }
    refresh_directory();
}

void Store::load_notify_targets(Directory& dir) {
    Statement st(db_, "SELECT a.name, n.address, n.target, n.events, n.secret FROM notify_targets n "
                      "JOIN accounts a ON a.id=n.account_id");
    while (st.step()) {
        std::string secret;
        if (!st.text(4).empty()) {
            auto opened = secrets_->open(st.text(4));
            if (!opened) continue; // sealed under another master key: unusable, like an access key
            secret = *opened;
        }
        NotifyTarget t{st.text(0), st.text(1), st.text(2), common::split_list(st.text(3), ','), secret, ""};
        dir.notify[t.account + '\n' + t.address] = std::move(t);
    }
}

} // namespace mailpush::store
