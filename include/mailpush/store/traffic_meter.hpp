// The in-memory counters of the acceptance-side traffic rules (docs/accounts.md), checked at
// MAIL/RCPT and by the API without I/O like QuotaMeter, counted at commit. Thread-safe; pure
// apart from its mutex: callers pass the time and the rule in effect.
//
// Submission rate: a token bucket per account kept as one "theoretical arrival time" (GCRA):
// at most `limit` submissions at once, refilled at `limit` per `window`.
// Fatigue: per (account, sender address, recipient) a fixed window opened by the first counted
// message; once `limit` were counted, the next attempt in that window starts a block that lasts
// until the window ends. New blocks are queued for the store to persist (take_new_blocks).
#pragma once

#include "mailpush/store/traffic.hpp"

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace mailpush::store {

class TrafficMeter {
public:
    // ---- submission rate (now in milliseconds) ----
    // Whether one more submission fits now (MAIL, the API's first check). Changes nothing.
    bool submission_allowed(const std::string& account, const RateRule& rule, std::int64_t now_ms);
    // Check and count in one step (commit). A commit that then fails gives it back.
    bool reserve_submission(const std::string& account, const RateRule& rule, std::int64_t now_ms);
    void release_submission(const std::string& account, const RateRule& rule);
    // Milliseconds until one more submission fits (0: now).
    std::int64_t submission_wait_ms(const std::string& account, const RateRule& rule, std::int64_t now_ms);

    // ---- fatigue (now in seconds) ----
    struct FatigueVerdict {
        bool blocked = false;
        std::int64_t until_s = 0;
    };
    // The pair is blocked (already, or from this attempt on: then a block is queued).
    FatigueVerdict check_fatigue(const std::string& account, const std::string& sender,
                                 const std::string& recipient, const RateRule& rule, std::int64_t now_s);
    // One accepted message from `sender` to `recipient`.
    void count_fatigue(const std::string& account, const std::string& sender, const std::string& recipient,
                       const RateRule& rule, std::int64_t now_s);
    // Lifts the pair's block and forgets its window (UnblockSending). True if it was blocked.
    bool clear_fatigue(const std::string& account, const std::string& sender, const std::string& recipient,
                       std::int64_t now_s);
    // A block persisted before a restart: the pair stays blocked until `until_s`.
    void restore_block(const Block& block);
    std::vector<Block> take_new_blocks();
    // Blocks taken but not written (the write failed): queued again, ahead of newer ones.
    void return_new_blocks(std::vector<Block> blocks);
    // A removed account: its buckets, pairs and unwritten blocks go (a new account of the same
    // name starts clean).
    void forget_account(const std::string& account);
    std::size_t pairs() const;

private:
    struct Pair {
        std::int64_t window_end_s = 0;
        unsigned count = 0;
        std::int64_t blocked_until_s = 0; // 0: not blocked
    };
    static std::string pair_key(const std::string& account, const std::string& sender,
                                const std::string& recipient);
    void prune_locked(std::int64_t now_s);

    mutable std::mutex mutex_;
    struct Bucket {
        std::int64_t tat_us = 0;      // theoretical arrival time of the next submission
        std::int64_t interval_us = 0; // the refill interval tat_us was counted in
    };
    // The bucket at `now` under `rule`: a rule changed since (an override) rescales what is owed,
    // so the submissions already counted keep counting as submissions, not as time.
    std::int64_t tat_locked(const std::string& account, const RateRule& rule, std::int64_t now_us);
    std::unordered_map<std::string, Bucket> buckets_; // by account
    std::unordered_map<std::string, Pair> pairs_;
    std::vector<Block> new_blocks_;
    std::size_t inserts_since_prune_ = 0;
};

} // namespace mailpush::store
