// Server-side sessions of the web console (docs/console.md): a random id in an HttpOnly cookie
// maps to who signed in, a CSRF token of its own, and two expiries (idle and absolute). The clock
// is a parameter; a mutex makes it safe to share between the HTTP worker threads. Bounded: past
// `max_sessions` (or `max_per_account` for one account) the least recently used goes first.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace mailpush::auth {

struct SessionLimits {
    std::chrono::seconds idle{30 * 60};
    std::chrono::seconds lifetime{12 * 60 * 60};
    std::size_t max_sessions = 10'000;
    std::size_t max_per_account = 20;
};

struct Session {
    std::string account; // the signed-in account; "" for the operator
    bool operator_mode = false;
    std::string csrf;       // sent back in X-CSRF-Token with every call
    std::string credential; // what signed in, to notice when it stops holding (caller-defined)
    std::int64_t created_s = 0;
    std::int64_t last_seen_s = 0;
    std::int64_t expires_s = 0; // the earlier of the idle and the absolute expiry, as of last_seen
};

class SessionTable {
public:
    explicit SessionTable(SessionLimits limits = {});

    // A new session; returns its id (43 random characters).
    std::string open(const std::string& account, bool operator_mode, std::int64_t now_s,
                     std::string credential = {});
    // The session of `id` if it has not expired, its idle time restarted; an expired one is removed.
    std::optional<Session> touch(const std::string& id, std::int64_t now_s);
    void close(const std::string& id);
    // Signs every session of `account` out (its password changed, it was suspended or removed).
    void close_account(const std::string& account);
    std::size_t size() const;

    // Whether `given` is the session's CSRF token (constant time).
    static bool csrf_matches(const Session& session, const std::string& given);

private:
    std::int64_t expiry(const Session& s) const;
    void evict_oldest(const std::string* account); // with mutex_ held; nullptr: any account

    SessionLimits limits_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Session> sessions_; // key: the id
};

} // namespace mailpush::auth
