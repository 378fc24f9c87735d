// What the delivery engine needs from the world, as narrow interfaces: the spooled messages,
// the durable delivery records, the account directory and a transport for attempts. The real
// Spool, DeliveryLog and Store are adapted to them (engine_backends.cpp); tests use fakes.
#pragma once

#include "mailpush/delivery/attempt_job.hpp"
#include "mailpush/delivery/delivery_log.hpp"
#include "mailpush/delivery/warmup.hpp"
#include "mailpush/dkim/dkim.hpp"
#include "mailpush/spool/spool.hpp"
#include "mailpush/tracking/token.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mailpush::delivery {

// The spool. Called on the blocking pool.
class MessageQueue {
public:
    virtual ~MessageQueue() = default;
    // The messages with envids above `after`, in envid order, at most `limit` of them.
    virtual std::vector<spool::QueueEntry> list_after(std::uint64_t after, std::size_t limit) const = 0;
    // The largest envid read from disk at start-up (0: none). Recovery covers the messages up to
    // it; those committed later reach the engine through enqueue().
    virtual std::uint64_t recovered_through() const = 0;
    virtual bool contains(std::uint64_t envid) const = 0;
    // The delivery log could not write: give the spool's reserve of disk space back.
    virtual void release_reserve() {}
    virtual std::optional<spool::QueueEntry> find(std::uint64_t envid) const = 0;
    virtual std::optional<std::string> read_body(std::uint64_t envid) const = 0;
    // The budget of message bytes in memory that attempts of large messages take from (the
    // spool's `max_inflight_bytes`); nullptr: not counted.
    virtual spool::InflightBudget* memory_budget() const { return nullptr; }
    virtual void remove(std::uint64_t envid) = 0;
    virtual void remove_many(const std::vector<std::uint64_t>& envids) = 0; // one directory fsync
    // A fresh envid for a record with no queued message (a suppressed recipient's event).
    virtual std::uint64_t allocate_envid() = 0;
};

// The delivery log. Called on one strand of the blocking pool; every call may throw.
class DeliveryRecords {
public:
    virtual ~DeliveryRecords() = default;
    // Every recipient row of these messages (`envids` ascending), in (envid, idx) order. Reads
    // only: recovery works on a full disk.
    virtual std::vector<RecipientRecord> recipients_of(const std::vector<std::uint64_t>& envids) = 0;
    virtual void apply(const std::vector<RecipientUpdate>& updates) = 0; // one transaction
    virtual int add_hard_bounce(const std::string& account, const std::string& address) = 0;
    virtual void set_next_attempt(std::uint64_t envid, std::int64_t next_attempt_ms) = 0;
    virtual void mark_deleted(std::uint64_t envid, const std::vector<std::string>& addresses) = 0;
    // The operator's holds, kept across restarts.
    virtual void set_held(std::uint64_t envid, bool held, std::int64_t now_ms) {
        (void)envid;
        (void)held;
        (void)now_ms;
    }
    virtual std::vector<std::uint64_t> held_messages() { return {}; }
    // `queued`: whether a message is still in the spool; such a message is never forgotten (a
    // recipient of it with no row would read as queued at the next start).
    virtual std::size_t prune(std::int64_t before_ms, const std::function<bool(std::uint64_t)>& queued) = 0;
    // Recipients the scheduler deferred before any attempt (a warm-up cap): their state and next
    // attempt, no attempt row. One transaction.
    virtual void defer_unattempted(const std::vector<RecipientRecord>& records) { (void)records; }
    // Marks each message tracked and stores its links before its first tracked copy is sent;
    // idempotent. One transaction for all of them.
    virtual void store_links(const std::vector<MessageLinks>& messages, std::int64_t now_ms) {
        (void)messages;
        (void)now_ms;
    }
};

// Where a sender's tracking links point and the key that signs their tokens.
struct TrackingLinks {
    std::string base_url;                   // "http://dmtrace.example.com", no trailing slash
    tracking::TrackingKey key;              // the newest tracking key
    std::vector<std::string> keep_prefixes; // links that stay as they are (the unsubscribe link)
};

// The account directory: whose message it is, and the invalid-address library.
class Accounts {
public:
    virtual ~Accounts() = default;
    virtual std::string account_of(const std::string& auth_user) const = 0; // "" if unknown
    virtual void add_invalid(const std::string& account, const std::string& address) = 0;
    // In the account's invalid-address library now (checked before each attempt: a recipient
    // queued before its address entered the library fails as SysOutInvRcpt, not contacted).
    virtual bool is_invalid(const std::string& account, const std::string& address) const = 0;
    // A receiving server refused `account`'s message as spam (the monitor's 垃圾邮件 items, by
    // the channel the message came in on).
    virtual void count_spam_refusal(const std::string& account, bool via_api) {
        (void)account;
        (void)via_api;
    }
    // The List-Unsubscribe lines for one recipient of a message that asked for them
    // (docs/suppression.md); "" when the sender is unknown.
    virtual std::string unsubscribe_lines(const std::string& /*auth_user*/, const std::string& /*rcpt*/,
                                          const std::string& /*level*/) const {
        return "";
    }
    // The warm-up plan of `account`'s sending domain `domain` (lower-case), or nullopt: no cap
    // (warm-up off, not one of the account's domains). Answered from memory.
    virtual std::optional<WarmupPlan> warmup(const std::string& account, const std::string& domain) const {
        (void)account;
        (void)domain;
        return std::nullopt;
    }
    // The tracking links of `auth_user`'s mail, or nullopt (unknown sender, no key, no URL):
    // its mail then goes out untracked. Answered from memory.
    virtual std::optional<TrackingLinks> tracking_links(const std::string& auth_user) const {
        (void)auth_user;
        return std::nullopt;
    }
    // The active DKIM keys of `domain` if it is one of `account`'s domains, else nullptr.
    // Answered from memory (called per attempt job).
    virtual std::shared_ptr<const std::vector<dkim::SigningKey>>
    signing_keys(const std::string& account, const std::string& domain) const {
        (void)account;
        (void)domain;
        return nullptr;
    }
};

// Carries out an attempt (capture, smarthost or MX): fills job->replies and job->host_used,
// then calls `done` once, on any thread. Called on the blocking pool, with the body read.
class Transport {
public:
    virtual ~Transport() = default;
    virtual void deliver(std::shared_ptr<AttemptJob> job, std::function<void()> done) = 0;
    virtual void stop() {} // drop idle connections
};

struct EngineBackends {
    MessageQueue& queue;
    DeliveryRecords& records;
    Accounts& accounts;
    std::shared_ptr<Transport> transport;
    std::function<std::int64_t()> now_ms; // wall clock, milliseconds since the epoch
};

} // namespace mailpush::delivery
