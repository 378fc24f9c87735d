// The real Spool, DeliveryLog and Store behind the engine's narrow interfaces. Private to the
// engine.
#pragma once

#include "mailpush/delivery/tracking_options.hpp"
#include "mailpush/engine/account_warmup.hpp"
#include "mailpush/engine/ports.hpp"

namespace mailpush::store {
class Store;
}

namespace mailpush::delivery {

class SpoolQueue final : public MessageQueue {
public:
    explicit SpoolQueue(spool::Spool& spool)
        : spool_(spool) {}
    std::vector<spool::QueueEntry> list_after(std::uint64_t after, std::size_t limit) const override;
    std::uint64_t recovered_through() const override;
    bool contains(std::uint64_t envid) const override;
    void release_reserve() override;
    std::optional<spool::QueueEntry> find(std::uint64_t envid) const override;
    std::optional<std::string> read_body(std::uint64_t envid) const override;
    spool::InflightBudget* memory_budget() const override { return &spool_.inflight(); }
    void remove(std::uint64_t envid) override;
    void remove_many(const std::vector<std::uint64_t>& envids) override;
    std::uint64_t allocate_envid() override;

private:
    spool::Spool& spool_;
};

class LogRecords final : public DeliveryRecords {
public:
    explicit LogRecords(DeliveryLog& log)
        : log_(log) {}
    std::vector<RecipientRecord> recipients_of(const std::vector<std::uint64_t>& envids) override;
    void apply(const std::vector<RecipientUpdate>& updates) override;
    int add_hard_bounce(const std::string& account, const std::string& address) override;
    void set_next_attempt(std::uint64_t envid, std::int64_t next_attempt_ms) override;
    void set_held(std::uint64_t envid, bool held, std::int64_t now_ms) override;
    std::vector<std::uint64_t> held_messages() override;
    void mark_deleted(std::uint64_t envid, const std::vector<std::string>& addresses) override;
    std::size_t prune(std::int64_t before_ms, const std::function<bool(std::uint64_t)>& queued) override;
    void defer_unattempted(const std::vector<RecipientRecord>& records) override;
    void store_links(const std::vector<MessageLinks>& messages, std::int64_t now_ms) override;

private:
    DeliveryLog& log_;
};

class StoreAccounts final : public Accounts {
public:
    // `warmup_enabled`, `curve`: the [delivery] warm-up keys, which accounts may override.
    // `link_host`: [tracking] link_host.
    StoreAccounts(store::Store& store, bool warmup_enabled, WarmupPlan curve, int utc_offset_minutes,
                  LinkHost link_host)
        : store_(store)
        , warmup_enabled_(warmup_enabled)
        , curve_(curve)
        , utc_offset_minutes_(utc_offset_minutes)
        , link_host_(link_host) {}
    std::string account_of(const std::string& auth_user) const override;
    void add_invalid(const std::string& account, const std::string& address) override;
    bool is_invalid(const std::string& account, const std::string& address) const override;
    void count_spam_refusal(const std::string& account, bool via_api) override;
    std::string unsubscribe_lines(const std::string& auth_user, const std::string& rcpt,
                                  const std::string& level) const override;
    std::shared_ptr<const std::vector<dkim::SigningKey>>
    signing_keys(const std::string& account, const std::string& domain) const override;
    std::optional<WarmupPlan> warmup(const std::string& account, const std::string& domain) const override;
    std::optional<TrackingLinks> tracking_links(const std::string& auth_user) const override;

private:
    store::Store& store_;
    bool warmup_enabled_;
    WarmupPlan curve_;
    int utc_offset_minutes_;
    LinkHost link_host_;
};

} // namespace mailpush::delivery
