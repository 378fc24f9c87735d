// The account store (SPEC §6) on SQLite in WAL mode. Blocking calls: run them off the event
// loop. Every mutation validates its input (from the admin API: untrusted) and the seeds'
// limits, then refreshes the in-memory Directory that the SMTP path reads without blocking.
#pragma once

#include "mailpush/dkim/dkim.hpp"
#include "mailpush/store/alarm_rules.hpp"
#include "mailpush/store/dkim_keys.hpp"
#include "mailpush/store/ip_ranges.hpp"
#include "mailpush/store/limits.hpp"
#include "mailpush/store/monitor.hpp"
#include "mailpush/store/quota_meter.hpp"
#include "mailpush/store/records.hpp"
#include "mailpush/store/suppression.hpp"
#include "mailpush/store/tracking_keys.hpp"
#include "mailpush/store/traffic.hpp"
#include "mailpush/store/traffic_meter.hpp"

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

namespace mailpush::common {
class SecretBox;
}
namespace mailpush::sqlite {
class Statement;
}

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
    bool events_enabled = true; // event notifications (push targets, pull queue) on
};

struct Domain {
    std::string name;
    std::string account;
    std::string created_at;
    std::string verify_token;           // the ownership TXT value
    std::vector<DnsRecordCheck> checks; // what must be published, and what was last seen
    bool verified = false;              // ownership TXT, SPF and the active DKIM keys found at the last check
    std::int64_t id = 0;
    std::vector<DkimKey> dkim; // newest first (store_dkim.cpp)
};

// The DKIM keys `add_domain` makes: RSA of `rsa_bits` (1024 or 2048), and an Ed25519 key (a
// second signature) if `ed25519`.
struct DkimOptions {
    int rsa_bits = 2048;
    bool ed25519 = false;
};

struct Address {
    std::string address;
    std::string account;
    std::string type; // "trigger" or "batch"
    bool has_password = false;
    std::string created_at;
    std::string reply_to;        // "" if none
    std::string reply_to_status; // "none", "pending", "verified"
    std::int64_t id = 0;
};

struct InvalidAddress {
    std::string account;
    std::string address;
    std::string reason;
    std::string created_at;
};

// The console's search of the invalid-address library: a keyword in the address and the day
// it was added, "YYYY-MM-DD", both ends included ("" = open).
struct InvalidFilter {
    std::string keyword, from_day, to_day;
    bool matches(const InvalidAddress& a) const;
};

// What the SMTP and API paths need, as an immutable snapshot.
struct Directory {
    struct Sender {
        std::string account;
        bool account_active = true;
        std::string password_hash; // empty: no SMTP password set, login impossible
        std::string type;          // "trigger" or "batch"
        bool domain_verified = false;
        std::string reply_to; // verified reply-to address, or ""
    };
    struct AccountInfo {
        bool active = true;
        std::int64_t daily_quota = 0;
        std::int64_t monthly_quota = 0;
        bool events_enabled = true; // off: its events reach no notification target
    };
    struct AliasList {
        std::string account;
        std::vector<std::string> members;
    };
    struct Key {
        std::string account;
        std::string secret;
    };
    std::unordered_map<std::string, Sender> senders;                // key: smtp::mailbox_key(address)
    std::unordered_map<std::string, AccountInfo> accounts;          // key: account name
    std::unordered_set<std::string> invalid;                        // key: account + '\n' + lower(address)
    std::unordered_map<std::string, std::vector<IpRange>> ip_allow; // accounts with IP protection on
    using AliasMap = std::unordered_map<std::string, AliasList>;    // key: lower(alias address)
    // Shared between snapshots and rebuilt only when lists change (members can be many).
    std::shared_ptr<const AliasMap> aliases = std::make_shared<const AliasMap>();
    std::unordered_map<std::string, Key> access_keys;     // key: AccessKeyId
    std::unordered_map<std::string, NotifyTarget> notify; // key: account + '\n' + address ("" = account)
    std::unordered_map<std::string, std::string> domains; // key: lower(domain), value: its account
    std::unordered_map<std::string, std::int64_t> domain_created; // key: lower(domain), value: unix seconds
    // The suppression list (docs/suppression.md), shared between snapshots, rebuilt on change.
    std::shared_ptr<const SuppressionIndex> suppression = std::make_shared<const SuppressionIndex>();
    std::unordered_map<std::string, FilterLevel> filter_levels; // accounts that set one
    // The traffic rules (docs/accounts.md): the [accounts] defaults and the accounts' overrides.
    TrafficDefaults traffic_defaults;
    std::unordered_map<std::string, TrafficOverrides> traffic_overrides; // accounts that set any
    const TrafficOverrides& traffic(const std::string& account) const;   // none set: all nullopt
    TrafficRules traffic_rules(const std::string& account) const;        // the defaults overridden
    // The account's SuppressionListLevel: what "default" means for its sends.
    FilterLevel filter_level(const std::string& account) const;
    // The source of the entry that stops this send ("hard_bounce" for the invalid library), or
    // nullopt. `level`: the send's filter level (disabled: unsubscribes do not apply).
    std::optional<std::string> suppressed(const std::string& account, std::string_view rcpt,
                                          std::string_view sender, FilterLevel level) const;
    std::unordered_map<std::string, std::vector<dkim::SigningKey>>
        dkim; // key: lower(domain): its active keys
    const Sender* sender(const std::string& address) const;
    const AccountInfo* account(const std::string& name) const;
    // The members of `account`'s recipient list whose alias is `address`, or nullptr.
    const std::vector<std::string>* alias_members(const std::string& account,
                                                  const std::string& address) const;
    // Whether `address` is the alias of any account's recipient list (compared as alias
    // lookups compare: the whole address lowercased).
    bool is_alias(const std::string& address) const;
    // How many mailboxes a RCPT to `address` reaches: a list alias its deliverable members, else 1.
    std::size_t reach(const std::string& account, const std::string& address) const;
    // The recipients with list aliases replaced by their members; invalid-library ones dropped.
    std::vector<std::string> expand(const std::string& account,
                                    const std::vector<std::string>& addresses) const;
    bool is_invalid(const std::string& account, const std::string& address) const;
    // Where `account`'s events for mail from `address` go: the address's target, else the
    // account's, else nullptr.
    const NotifyTarget* notify_target(const std::string& account, const std::string& address) const;
    // False only if the account has IP protection on and `ip` is in none of its entries.
    bool ip_allowed(const std::string& account, const std::string& ip) const;
    // True if `domain` (any case) is one of `account`'s sender domains.
    bool owns_domain(const std::string& account, std::string_view domain) const;

    // Tracking (docs/tracking.md, src/store/store_tracking.cpp).
    std::unordered_set<std::string> tracking_domains; // lower(domain): its tracking record verified
    bool tracking_requires_cname = true;              // [tracking] require_cname
    std::vector<TrackingKeyRecord> tracking_keys;     // newest first: the first signs, all verify
    // Whether `domain`'s (any case) tracking record (dmtrace.{domain} CNAME) passed `domain verify`.
    bool tracking_verified(std::string_view domain) const;
    // Whether mail from `sender` (an address) may be tracked: its domain's record verified, or
    // the config does not require it.
    bool tracking_allowed(std::string_view sender) const;
};

// One field of set_traffic_overrides: a value sets the override, nullopt clears it.
struct TrafficChange {
    std::string field;
    std::optional<std::int64_t> value;
};

// One page of ListBlockSending; next_token "" on the last page.
struct BlockPage {
    std::vector<Block> rows;
    std::string next_token;
};

// "mail.example.com" -> "example.com"; knows common two-label public suffixes (docs/accounts.md).
std::string main_domain(const std::string& domain);

// An account's alarm rule with where its evaluation stands (docs/monitoring.md). `version`
// grows with each change, so an evaluation of an older version is not saved over it.
struct AlarmRule {
    std::int64_t id = 0;
    std::string account;
    AlarmRuleSpec spec;
    AlarmProgress progress;
    std::int64_t created_ms = 0;
    std::int64_t version = 0;
};

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
    // Event notifications on or off (OpenAPI UpdateUser's EnableEventbridge).
    Account set_events_enabled(const std::string& name, bool enabled);
    Account set_account_quota(const std::string& name, std::optional<std::int64_t> daily,
                              std::optional<std::int64_t> monthly);

    Domain add_domain(const std::string& account, const std::string& domain, const DkimOptions& dkim = {});
    std::vector<Domain> list_domains(const std::string& account_filter);
    Domain get_domain(const std::string& domain);
    void remove_domain(const std::string& domain);
    // Stores the outcome of a DNS check (see dns_records.hpp) and returns the domain.
    // Published DKIM keys whose record was found become active (the ones they replace retired).
    Domain record_domain_checks(const std::string& domain, const std::vector<DnsRecordCheck>& checks);
    std::vector<DkimKey> dkim_keys(const std::string& domain);
    // Starts a rotation: a new key per algorithm the domain signs with (RSA of `rsa_bits`, 0 = the
    // current length), published; it signs once its record verified. Refused (conflict) while a
    // rotation waits for its record.
    std::vector<DkimKey> rotate_dkim(const std::string& domain, int rsa_bits);

    Address add_address(const std::string& account, const std::string& address, const std::string& type);
    std::vector<Address> list_addresses(const std::string& account_filter);
    Address get_address(const std::string& address);
    // How many of the account's sender addresses were deleted this calendar month (UTC); at
    // limits().max_address_deletions_per_month no more may be.
    std::int64_t address_deletions_this_month(const std::string& account);
    void remove_address(const std::string& address);
    void set_password(const std::string& address, const std::string& password);
    // The same password for every one of `addresses`, all or none: the policy is checked for
    // each first (StoreError invalid naming the address), then one transaction.
    void set_passwords(const std::vector<std::string>& addresses, const std::string& password);
    // A login just proved `password` against `old_hash`: store a fresh hash of it at today's
    // cost (previous_hash untouched), unless the hash changed meanwhile. True if replaced.
    bool upgrade_password_hash(const std::string& address, const std::string& old_hash,
                               const std::string& password);
    const common::PasswordCost& password_cost() const noexcept { return limits_.password_cost; }
    // Reply-to verification (SPEC §6): a token mailed to the reply-to address, valid 10
    // minutes, requestable once per 10 minutes. Returns the token to mail.
    std::string request_reply_to(const std::string& address, const std::string& reply_to, std::int64_t now_s);
    // Confirms the reply-to of the token's address; with `account`, only an address of that
    // account (another's token is not_found, and nothing changes).
    Address confirm_reply_to(const std::string& token, std::int64_t now_s, const std::string& account = "");

    AccessKey create_access_key(const std::string& account); // the only time the secret is returned
    std::vector<AccessKey> list_access_keys(const std::string& account_filter);
    void remove_access_key(const std::string& id);
    // OpenAPI replay protection that survives a restart: false if `nonce` was recorded before.
    // The API checks its in-memory cache first; rows older than the timestamp window are
    // forgotten by forget_nonces_before().
    bool remember_nonce(const std::string& nonce, std::int64_t now_s);
    void forget_nonces_before(std::int64_t cutoff_s);

    // Notification targets (SPEC §7). `address` "" sets the account-level one; setting again
    // replaces. Empty `events`: all types. Throws StoreError(invalid) naming a bad field.
    NotifyTarget set_notify_target(const std::string& account, const std::string& address,
                                   const std::string& target, const std::vector<std::string>& events,
                                   const std::string& secret);
    std::vector<NotifyTarget> list_notify_targets(const std::string& account_filter);
    void remove_notify_target(const std::string& account, const std::string& address);

    Tag add_tag(const std::string& account, const std::string& name, const std::string& description);
    std::vector<Tag> list_tags(const std::string& account_filter);
    Tag update_tag(const std::string& account, const std::string& name, const std::string& new_name,
                   const std::string& description);
    void remove_tag(const std::string& account, const std::string& name);
    bool has_tag(const std::string& account, const std::string& name);

    ReceiverList add_receiver_list(const std::string& account, const std::string& name,
                                   const std::string& alias, const std::string& description);
    std::vector<ReceiverList> list_receiver_lists(const std::string& account_filter);
    ReceiverList get_receiver_list(const std::string& account, const std::string& name);
    void remove_receiver_list(const std::string& account, const std::string& name);
    // Validates every row; stores the good ones (all or nothing per call is not required:
    // bad rows are reported and skipped, as the console does).
    UploadReport add_receivers(const std::string& account, const std::string& list,
                               const std::vector<ReceiverRow>& rows);
    std::vector<ReceiverRow> list_receivers(const std::string& account, const std::string& list,
                                            const std::string& key_filter, std::size_t limit);
    void remove_receiver(const std::string& account, const std::string& list, const std::string& email);

    Template add_template(const std::string& account, const TemplateInput& in);
    std::vector<Template> list_templates(const std::string& account_filter);
    Template get_template(const std::string& account, const std::string& name);
    Template update_template(const std::string& account, const std::string& name, const TemplateInput& in);
    // submit (draft -> submitted), approve / reject (submitted -> approved / rejected)
    Template set_template_state(const std::string& account, const std::string& name,
                                const std::string& action, const std::string& reason);
    void remove_template(const std::string& account, const std::string& name);

    SendTask add_task(const SendTask& task);
    SendTask finish_task(std::int64_t id, std::int64_t queued, std::int64_t skipped,
                         const std::string& status);
    std::vector<SendTask> list_tasks(const std::string& account_filter);

    QuotaMeter& quota() { return quota_; }
    Usage usage(const std::string& account, std::int64_t now_s);
    void flush_usage(); // writes the meters' counts since the last flush (quota, monitor)

    // Monitoring (src/store/store_monitor.cpp, docs/monitoring.md): the monitor items counted
    // per account and minute, and alarm rules on them (at most 50 per account).
    MonitorMeter& monitor() { return monitor_; }
    void flush_monitor(std::int64_t now_ms); // with flush_usage; prunes past the retention hourly
    // The minutes of [from_ms, to_ms) with a count, written or still in the meter.
    std::vector<MonitorCount> monitor_counts(const std::string& account, MonitorItem item,
                                             std::int64_t from_ms, std::int64_t to_ms);
    // StoreError(invalid) naming the field of a bad spec; not_found for another account's rule.
    AlarmRule add_alarm_rule(const std::string& account, const AlarmRuleSpec& spec, std::int64_t now_ms);
    std::vector<AlarmRule> list_alarm_rules(const std::string& account_filter); // "" = every account
    AlarmRule get_alarm_rule(const std::string& account, std::int64_t id);
    AlarmRule update_alarm_rule(const std::string& account, std::int64_t id, const AlarmRuleSpec& spec,
                                std::int64_t now_ms);
    void remove_alarm_rule(const std::string& account, std::int64_t id);
    // Saves an evaluation of the rule's `version`; false when the rule changed or went meanwhile.
    bool save_alarm_progress(std::int64_t id, std::int64_t version, const AlarmProgress& progress);

    InvalidAddress add_invalid(const std::string& account, const std::string& address,
                               const std::string& reason);
    std::vector<InvalidAddress> list_invalid(const std::string& account_filter);
    void remove_invalid(const std::string& account, const std::string& address);

    // Suppression list (src/store/store_suppression.cpp). `address`: a mailbox or a domain.
    // Adding an entry that exists returns it unchanged.
    Suppression add_suppression(const std::string& account, const std::string& address,
                                std::string_view source, const std::string& scope, std::int64_t now_s);
    // Entries and the invalid library's hard bounces, newest first.
    std::vector<Suppression> list_suppressions(const std::string& account);
    // All or nothing: StoreError(not_found) naming the first id that is not the account's.
    void remove_suppressions(const std::string& account, const std::vector<std::int64_t>& ids);
    FilterLevel suppression_level(const std::string& account);
    FilterLevel set_suppression_level(const std::string& account, FilterLevel level);
    std::string unsubscribe_token(const UnsubscribeClaim& claim) const;
    // The public base of /u/{token} links ([http] public_url or the default the daemon
    // derives), set once the listeners are bound.
    void set_link_base(std::string url);
    std::string link_base() const; // "" until set
    // The claim's List-Unsubscribe and List-Unsubscribe-Post lines.
    std::string unsubscribe_lines(const UnsubscribeClaim& claim) const;
    std::optional<UnsubscribeClaim> read_unsubscribe(std::string_view token) const;
    // Records the token's unsubscribe (source unsubscribe, the claim's level); nullopt for a
    // bad token or an account that no longer exists (nothing changes).
    std::optional<UnsubscribeClaim> unsubscribe(std::string_view token, std::int64_t now_s);

    // Traffic rules (src/store/store_traffic.cpp, store_blocks.cpp; docs/accounts.md).
    TrafficMeter& traffic() { return traffic_; }
    TrafficOverrides traffic_overrides(const std::string& account);
    // All or nothing: StoreError(invalid) naming the first unknown field or value out of bounds.
    TrafficOverrides set_traffic_overrides(const std::string& account,
                                           const std::vector<TrafficChange>& changes);
    // Writes the fatigue blocks the meter started since the last call (with flush_usage).
    void flush_blocks();
    void write_blocks(const std::vector<Block>& blocks, std::int64_t now); // with db_mutex_ held
    // The account's blocks (FREQ still in force, UNSUB and REPORT entries), block_before order.
    std::vector<Block> list_blocks(const std::string& account, const BlockFilter& filter, std::int64_t now_s);
    // At most `max` rows from where `token` ("" = the start) left off. StoreError(invalid) for a
    // token this store did not make for this account and filter.
    BlockPage block_page(const std::string& account, const BlockFilter& filter, std::size_t max,
                         const std::string& token, std::int64_t now_s);
    // Lifts the block: FREQ clears the pair's block and window; UNSUB / REPORT remove the entries
    // of that source that stop mail from `sender` to `recipient`. StoreError(not_found) if none.
    void unblock(const std::string& account, BlockType type, const std::string& sender,
                 const std::string& recipient, std::int64_t now_s);

    // Tracking token keys (src/store/store_tracking.cpp): retires the signing key and makes a new
    // one, which signs from now on; retired keys past [tracking] key_retention are deleted.
    // Returns the new key without its secret.
    TrackingKeyRecord rotate_tracking_key(std::int64_t now_s);
    std::vector<TrackingKeyRecord> list_tracking_keys(); // newest first, secrets empty

    // The console password of an account (src/store/store_console.cpp, docs/console.md): the
    // policy of SMTP passwords (not the previous one again), an Argon2id hash.
    void set_console_password(const std::string& account, const std::string& password);
    // The account's console password hash; "" when it has none or the account does not exist.
    std::string console_password_hash(const std::string& account);

    IpProtection get_ip_protection(const std::string& account);
    IpProtection set_ip_protection(const std::string& account, bool enabled);
    IpProtection add_ip_entry(const std::string& account, const std::string& entry);
    IpProtection remove_ip_entry(const std::string& account, const std::string& entry);

    std::shared_ptr<const Directory> directory() const;
    const StoreLimits& limits() const { return limits_; }

private:
    void exec(const char* sql);
    bool has_column(const std::string& table, const std::string& column);
    void transaction(const std::function<void()>& body); // BEGIN ... COMMIT, ROLLBACK on throw
    void load_notify_targets(Directory& dir);            // with db_mutex_ held
    void refresh_directory(bool lists_changed = false);  // lists: rebuild the alias map too
    std::int64_t account_id(const std::string& name);
    Domain domain_from_row(const sqlite::Statement& st);
    void migrate_dkim(); // with db_mutex_ held or before the store is shared
    void insert_dkim_key(std::int64_t domain_id, const std::string& algorithm, int rsa_bits, int generation,
                         const std::string& state, std::int64_t now_s);
    std::vector<DkimKey> load_dkim_keys(std::int64_t domain_id);
    void save_dkim_states(std::int64_t domain_id, const std::vector<DkimKey>& keys);
    void load_dkim_signing(Directory& dir);
    std::int64_t list_id(std::int64_t account, const std::string& name);
    void load_usage();
    void open_suppression(const std::string& data_dir); // schema, key; with the constructor
    void rebuild_suppression_index();                   // with db_mutex_ held
    void open_traffic();                                // schemas; with the constructor
    void open_console();                                // its columns; with the constructor
    void open_monitor();                                // its tables; with the constructor
    void write_monitor(const std::vector<MonitorCount>& counts,
                       std::int64_t prune_before_ms);                       // db_mutex_ held
    AlarmRule read_alarm_rule(const std::string& account, std::int64_t id); // db_mutex_ held
    void open_blocks();                           // and the blocks still in force into the meter
    void load_traffic(Directory& dir);            // with db_mutex_ held
    void open_tracking();                         // schema and the first key; with the constructor
    void insert_tracking_key(std::int64_t now_s); // with db_mutex_ held
    std::vector<TrackingKeyRecord> read_tracking_keys(bool with_secrets); // with db_mutex_ held
    void load_tracking(Directory& dir);                                   // with db_mutex_ held

    sqlite3* db_ = nullptr;
    StoreLimits limits_;
    std::string region_;
    std::mutex db_mutex_;
    mutable std::mutex dir_mutex_;
    std::shared_ptr<const Directory> directory_;
    std::unique_ptr<common::SecretBox> secrets_;
    std::shared_ptr<const Directory::AliasMap> aliases_; // the last alias map built
    QuotaMeter quota_;
    MonitorMeter monitor_;
    std::int64_t monitor_pruned_ms_ = 0; // the last prune of old monitor minutes
    TrafficMeter traffic_;
    std::unique_ptr<common::SecretBox> unsubscribe_box_;        // data_dir/unsubscribe.key
    std::shared_ptr<const SuppressionIndex> suppression_index_; // the last index built
    mutable std::mutex link_mutex_;
    std::string link_base_;
};

} // namespace mailpush::store
