#include "engine_backends.hpp"

#include "mailpush/common/calendar.hpp"
#include "mailpush/engine/delivery_tracking.hpp"
#include "mailpush/store/store.hpp"

namespace mailpush::delivery {

std::vector<spool::QueueEntry> SpoolQueue::list_after(std::uint64_t after, std::size_t limit) const {
    return spool_.list_after(after, limit);
}
std::uint64_t SpoolQueue::recovered_through() const {
    return spool_.recovered_through();
}
bool SpoolQueue::contains(std::uint64_t envid) const {
    return spool_.contains(envid);
}
void SpoolQueue::release_reserve() {
    spool_.release_reserve();
}
std::optional<spool::QueueEntry> SpoolQueue::find(std::uint64_t envid) const {
    return spool_.find(envid);
}
std::optional<std::string> SpoolQueue::read_body(std::uint64_t envid) const {
    return spool_.read_body(envid);
}
void SpoolQueue::remove(std::uint64_t envid) {
    spool_.remove(envid);
}
void SpoolQueue::remove_many(const std::vector<std::uint64_t>& envids) {
    spool_.remove_many(envids);
}

std::uint64_t SpoolQueue::allocate_envid() {
    return spool_.allocate_envid();
}

std::vector<RecipientRecord> LogRecords::recipients_of(const std::vector<std::uint64_t>& envids) {
    return log_.recipients_of(envids);
}
void LogRecords::apply(const std::vector<RecipientUpdate>& updates) {
    log_.apply(updates);
}
int LogRecords::add_hard_bounce(const std::string& account, const std::string& address) {
    return log_.add_hard_bounce(account, address);
}
void LogRecords::set_next_attempt(std::uint64_t envid, std::int64_t next_attempt_ms) {
    log_.set_next_attempt(envid, next_attempt_ms);
}
void LogRecords::set_held(std::uint64_t envid, bool held, std::int64_t now_ms) {
    log_.set_held(envid, held, now_ms);
}
std::vector<std::uint64_t> LogRecords::held_messages() {
    return log_.held();
}
void LogRecords::mark_deleted(std::uint64_t envid, const std::vector<std::string>& addresses) {
    log_.mark_deleted(envid, addresses);
}
std::size_t LogRecords::prune(std::int64_t before_ms, const std::function<bool(std::uint64_t)>& queued) {
    return log_.prune(before_ms, queued);
}

void LogRecords::defer_unattempted(const std::vector<RecipientRecord>& records) {
    log_.upsert_recipients(records);
}
void LogRecords::store_links(const std::vector<MessageLinks>& messages, std::int64_t now_ms) {
    log_.store_links(messages, now_ms);
}

std::string StoreAccounts::account_of(const std::string& auth_user) const {
    const auto directory = store_.directory(); // keep the snapshot alive while `sender` points into it
    const auto* sender = directory->sender(auth_user);
    return sender ? sender->account : "";
}
// From the store's Directory snapshot (rebuilt on every change, keys unsealed then): the
// pointer shares the snapshot, so no copy and no SQLite per message.
std::shared_ptr<const std::vector<dkim::SigningKey>>
StoreAccounts::signing_keys(const std::string& account, const std::string& domain) const {
    auto directory = store_.directory();
    if (!directory->owns_domain(account, domain)) return nullptr;
    const auto it = directory->dkim.find(domain);
    if (it == directory->dkim.end()) return nullptr;
    return {directory, &it->second};
}
// The account's own domain's creation day starts the curve.
std::optional<WarmupPlan> StoreAccounts::warmup(const std::string& account, const std::string& domain) const {
    const auto directory = store_.directory();
    auto plan = account_warmup(warmup_enabled_, curve_, directory->traffic(account));
    if (!plan) return std::nullopt;
    if (!directory->owns_domain(account, domain)) return std::nullopt;
    const auto created = directory->domain_created.find(domain);
    if (created == directory->domain_created.end()) return std::nullopt;
    plan->first_day = day_index(created->second * 1000, utc_offset_minutes_);
    return plan;
}

void StoreAccounts::add_invalid(const std::string& account, const std::string& address) {
    store_.add_invalid(account, address, "SmtpNxBox");
}
void StoreAccounts::count_spam_refusal(const std::string& account, bool via_api) {
    store_.monitor().add(account,
                         via_api ? store::MonitorItem::api_error_spam : store::MonitorItem::smtp_error_spam,
                         common::unix_ms_now());
}

bool StoreAccounts::is_invalid(const std::string& account, const std::string& address) const {
    return !account.empty() && store_.directory()->is_invalid(account, address);
}

std::string StoreAccounts::unsubscribe_lines(const std::string& auth_user, const std::string& rcpt,
                                             const std::string& level_text) const {
    const auto account = account_of(auth_user);
    const auto level = store::parse_filter_level(level_text);
    if (account.empty() || !level) return "";
    return store_.unsubscribe_lines({account, auth_user, rcpt, *level, ""});
}

// The newest key signs; the unsubscribe link (public URL + "/u/") stays as it is.
std::optional<TrackingLinks> StoreAccounts::tracking_links(const std::string& auth_user) const {
    const auto directory = store_.directory();
    if (directory->tracking_keys.empty() || !directory->sender(auth_user)) return std::nullopt;
    const auto public_url = store_.link_base();
    auto base = tracking_base_url(link_host_, auth_user, public_url);
    if (base.empty()) return std::nullopt;
    const auto& newest = directory->tracking_keys.front();
    TrackingLinks links{std::move(base), {newest.id, newest.secret}, {}};
    if (!public_url.empty())
        links.keep_prefixes.push_back(tracking_base_url(LinkHost::public_url, "", public_url) + "/u/");
    return links;
}

} // namespace mailpush::delivery
