// The account store (SPEC §6) on SQLite in WAL mode. Blocking calls: run them off the event
// loop. Every mutation validates its input (from the admin API: untrusted) and the seeds'
// limits, then refreshes the in-memory Directory that the SMTP path reads without blocking.
#pragma once

#include "mailpush/store/ip_ranges.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

struct sqlite3;

namespace mailpush::store {

enum class ErrorKind { invalid, not_found, conflict, limit };

class StoreError : public std::runtime_error {
public:
    StoreError(ErrorKind kind, const std::string& message)
        : std::runtime_error(message)
        , kind_(kind) {}
    ErrorKind kind() const noexcept { return kind_; }

private:
    ErrorKind kind_;
};

struct StoreLimits {
    unsigned max_domains = 5;
    unsigned max_addresses = 10;
    unsigned max_address_deletions_per_month = 4;
    std::int64_t daily_quota = 20'000;
    std::int64_t monthly_quota = 600'000;
    unsigned pbkdf2_iterations = 100'000;
    unsigned max_ip_entries = 10;
    bool allow_private_ip_entries = false; // loopback and RFC 1918 entries: for tests and labs only
};

struct IpProtection {
    bool enabled = false;
    std::vector<std::string> entries;
};

struct Account {
    std::string name;
    std::string status; // "normal" or "suspended"
    std::string region;
    std::int64_t daily_quota = 0;
    std::int64_t monthly_quota = 0;
    std::string created_at;
};

struct Domain {
    std::string name;
    std::string account;
    std::string created_at;
};

struct Address {
    std::string address;
    std::string account;
    std::string type; // "trigger" or "batch"
    bool has_password = false;
    std::string created_at;
};

struct InvalidAddress {
    std::string account;
    std::string address;
    std::string reason;
    std::string created_at;
};

// What the SMTP path needs, as an immutable snapshot.
struct Directory {
    struct Sender {
        std::string account;
        bool account_active = true;
        std::string password_hash; // empty: no SMTP password set, login impossible
    };
    std::unordered_map<std::string, Sender> senders;                // key: smtp::mailbox_key(address)
    std::unordered_set<std::string> invalid;                        // key: account + '\n' + lower(address)
    std::unordered_map<std::string, std::vector<IpRange>> ip_allow; // accounts with IP protection on
    const Sender* sender(const std::string& address) const;
    bool is_invalid(const std::string& account, const std::string& address) const;
    // False only if the account has IP protection on and `ip` is in none of its entries.
    bool ip_allowed(const std::string& account, const std::string& ip) const;
};

// "mail.example.com" -> "example.com"; knows common two-label public suffixes (docs/accounts.md).
std::string main_domain(const std::string& domain);

class Store {
public:
    Store(const std::string& path, StoreLimits limits, std::string region);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    Account add_account(const std::string& name);
    std::vector<Account> list_accounts();
    Account get_account(const std::string& name);
    void remove_account(const std::string& name);
    Account set_account_status(const std::string& name, const std::string& status);

    Domain add_domain(const std::string& account, const std::string& domain);
    std::vector<Domain> list_domains(const std::string& account_filter);
    Domain get_domain(const std::string& domain);
    void remove_domain(const std::string& domain);

    Address add_address(const std::string& account, const std::string& address, const std::string& type);
    std::vector<Address> list_addresses(const std::string& account_filter);
    Address get_address(const std::string& address);
    void remove_address(const std::string& address);
    void set_password(const std::string& address, const std::string& password);

    InvalidAddress add_invalid(const std::string& account, const std::string& address,
                               const std::string& reason);
    std::vector<InvalidAddress> list_invalid(const std::string& account_filter);
    void remove_invalid(const std::string& account, const std::string& address);

    IpProtection get_ip_protection(const std::string& account);
    IpProtection set_ip_protection(const std::string& account, bool enabled);
    IpProtection add_ip_entry(const std::string& account, const std::string& entry);
    IpProtection remove_ip_entry(const std::string& account, const std::string& entry);

    std::shared_ptr<const Directory> directory() const;

private:
    void exec(const char* sql);
    bool has_column(const std::string& table, const std::string& column);
    void transaction(const std::function<void()>& body); // BEGIN ... COMMIT, ROLLBACK on throw
    void refresh_directory();
    std::int64_t account_id(const std::string& name);

    sqlite3* db_ = nullptr;
    StoreLimits limits_;
    std::string region_;
    std::mutex db_mutex_;
    mutable std::mutex dir_mutex_;
    std::shared_ptr<const Directory> directory_;
};

} // namespace mailpush::store
