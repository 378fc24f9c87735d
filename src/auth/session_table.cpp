#include "mailpush/auth/session_table.hpp"

#include "mailpush/common/random.hpp"

#include <openssl/crypto.h>

#include <algorithm>

namespace mailpush::auth {

SessionTable::SessionTable(SessionLimits limits)
    : limits_(limits) {}

std::int64_t SessionTable::expiry(const Session& s) const {
    return std::min(s.last_seen_s + limits_.idle.count(), s.created_s + limits_.lifetime.count());
}

void SessionTable::evict_oldest(const std::string* account) {
    auto oldest = sessions_.end();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
        if ((!account || it->second.account == *account) &&
            (oldest == sessions_.end() || it->second.last_seen_s < oldest->second.last_seen_s))
            oldest = it;
    if (oldest != sessions_.end()) sessions_.erase(oldest);
}

std::string SessionTable::open(const std::string& account, bool operator_mode, std::int64_t now_s,
                               std::string credential) {
    Session s{account, operator_mode, common::random_token(43), std::move(credential), now_s, now_s, 0};
    s.expires_s = expiry(s);
    auto id = common::random_token(43); // ≈ 256 bits
    std::lock_guard lock(mutex_);
    std::erase_if(sessions_, [&](const auto& kv) { return expiry(kv.second) <= now_s; });
    const auto mine =
        static_cast<std::size_t>(std::count_if(sessions_.begin(), sessions_.end(), [&](const auto& kv) {
            return kv.second.account == account && kv.second.operator_mode == operator_mode;
        }));
    if (mine >= limits_.max_per_account) evict_oldest(&account);
    if (sessions_.size() >= limits_.max_sessions) evict_oldest(nullptr);
    sessions_.emplace(id, std::move(s));
    return id;
}

std::optional<Session> SessionTable::touch(const std::string& id, std::int64_t now_s) {
    std::lock_guard lock(mutex_);
    const auto it = sessions_.find(id);
    if (it == sessions_.end()) return std::nullopt;
    auto& s = it->second;
    if (expiry(s) <= now_s) {
        sessions_.erase(it);
        return std::nullopt;
    }
    s.last_seen_s = std::max(s.last_seen_s, now_s);
    s.expires_s = expiry(s);
    return s;
}

void SessionTable::close(const std::string& id) {
    std::lock_guard lock(mutex_);
    sessions_.erase(id);
}

void SessionTable::close_account(const std::string& account) {
    std::lock_guard lock(mutex_);
    std::erase_if(sessions_,
                  [&](const auto& kv) { return !kv.second.operator_mode && kv.second.account == account; });
}

std::size_t SessionTable::size() const {
    std::lock_guard lock(mutex_);
    return sessions_.size();
}

bool SessionTable::csrf_matches(const Session& session, const std::string& given) {
    return !session.csrf.empty() && given.size() == session.csrf.size() &&
           CRYPTO_memcmp(given.data(), session.csrf.data(), given.size()) == 0;
}

} // namespace mailpush::auth
