#include "mailpush/store/traffic_meter.hpp"

#include "mailpush/common/strings.hpp"

#include <algorithm>
#include <utility>

namespace mailpush::store {
namespace {
// New pairs between sweeps of expired ones: at least this many, and at least half the pairs
// held, so a sweep's cost (a pass over every pair, under the mutex) is amortised over as many
// inserts as it passes over: O(1) per insert, and at most ~1.5x the live pairs kept.
constexpr std::size_t kPruneEvery = 1024;

std::int64_t window_us(const RateRule& rule) {
    return std::chrono::duration_cast<std::chrono::microseconds>(rule.window).count();
}
// The bucket's refill interval: one submission per window / limit.
std::int64_t interval_us(const RateRule& rule) {
    return std::max<std::int64_t>(1, window_us(rule) / rule.limit);
}
} // namespace

// ---- submission rate ------------------------------------------------------------------------

std::int64_t TrafficMeter::tat_locked(const std::string& account, const RateRule& rule, std::int64_t now_us) {
    auto& b = buckets_[account];
    const std::int64_t interval = interval_us(rule);
    if (b.interval_us != interval && b.interval_us > 0 && b.tat_us > now_us) {
        const long double owed =
            static_cast<long double>(b.tat_us - now_us) / static_cast<long double>(b.interval_us);
        b.tat_us = now_us + static_cast<std::int64_t>(owed * static_cast<long double>(interval));
    }
    b.interval_us = interval;
    return std::max(b.tat_us, now_us);
}

bool TrafficMeter::submission_allowed(const std::string& account, const RateRule& rule, std::int64_t now_ms) {
    return submission_wait_ms(account, rule, now_ms) == 0;
}

std::int64_t TrafficMeter::submission_wait_ms(const std::string& account, const RateRule& rule,
                                              std::int64_t now_ms) {
    if (rule.off()) return 0;
    const std::int64_t now = now_ms * 1000;
    std::lock_guard lock(mutex_);
    const std::int64_t excess = tat_locked(account, rule, now) + interval_us(rule) - now - window_us(rule);
    return excess <= 0 ? 0 : (excess + 999) / 1000;
}

bool TrafficMeter::reserve_submission(const std::string& account, const RateRule& rule, std::int64_t now_ms) {
    if (rule.off()) return true;
    const std::int64_t now = now_ms * 1000;
    std::lock_guard lock(mutex_);
    const std::int64_t next = tat_locked(account, rule, now) + interval_us(rule);
    if (next - now > window_us(rule)) return false;
    buckets_[account].tat_us = next;
    return true;
}

void TrafficMeter::release_submission(const std::string& account, const RateRule& rule) {
    if (rule.off()) return;
    std::lock_guard lock(mutex_);
    const auto it = buckets_.find(account);
    if (it != buckets_.end()) it->second.tat_us -= interval_us(rule);
}

// ---- fatigue ----------------------------------------------------------------------------------

std::string TrafficMeter::pair_key(const std::string& account, const std::string& sender,
                                   const std::string& recipient) {
    return account + '\n' + common::to_lower(sender) + '\n' + common::to_lower(recipient);
}

TrafficMeter::FatigueVerdict TrafficMeter::check_fatigue(const std::string& account,
                                                         const std::string& sender,
                                                         const std::string& recipient, const RateRule& rule,
                                                         std::int64_t now_s) {
    std::lock_guard lock(mutex_);
    if (pairs_.empty()) return {}; // the rule off and nothing restored: no key to build
    const auto it = pairs_.find(pair_key(account, sender, recipient));
    if (it == pairs_.end()) return {};
    auto& p = it->second;
    // A restored or earlier block holds even if the rule was turned off since: the user sees it
    // in ListBlockSending and lifts it with UnblockSending.
    if (p.blocked_until_s > now_s) return {true, p.blocked_until_s};
    if (rule.off() || now_s >= p.window_end_s || p.count < rule.limit) return {};
    p.blocked_until_s = p.window_end_s;
    new_blocks_.push_back({BlockType::freq, account, common::to_lower(sender), common::to_lower(recipient),
                           now_s, now_s, p.window_end_s, kReasonTooFrequent});
    return {true, p.blocked_until_s};
}

void TrafficMeter::count_fatigue(const std::string& account, const std::string& sender,
                                 const std::string& recipient, const RateRule& rule, std::int64_t now_s) {
    if (rule.off()) return;
    std::lock_guard lock(mutex_);
    auto [it, inserted] = pairs_.try_emplace(pair_key(account, sender, recipient));
    auto& p = it->second;
    if (inserted || now_s >= p.window_end_s) p = Pair{now_s + rule.window.count(), 0, 0};
    ++p.count;
    if (inserted && ++inserts_since_prune_ >= std::max(kPruneEvery, pairs_.size() / 2)) prune_locked(now_s);
}

bool TrafficMeter::clear_fatigue(const std::string& account, const std::string& sender,
                                 const std::string& recipient, std::int64_t now_s) {
    std::lock_guard lock(mutex_);
    const auto key = pair_key(account, sender, recipient);
    std::erase_if(new_blocks_,
                  [&](const Block& b) { return pair_key(b.account, b.sender, b.recipient) == key; });
    const auto it = pairs_.find(key);
    if (it == pairs_.end()) return false;
    const bool was_blocked = it->second.blocked_until_s > now_s;
    pairs_.erase(it);
    return was_blocked;
}

void TrafficMeter::restore_block(const Block& b) {
    std::lock_guard lock(mutex_);
    auto& p = pairs_[pair_key(b.account, b.sender, b.recipient)];
    p.window_end_s = std::max(p.window_end_s, b.until_s);
    p.blocked_until_s = std::max(p.blocked_until_s, b.until_s);
}

void TrafficMeter::forget_account(const std::string& account) {
    std::lock_guard lock(mutex_);
    buckets_.erase(account);
    const std::string prefix = account + '\n';
    std::erase_if(pairs_, [&](const auto& kv) { return kv.first.starts_with(prefix); });
    std::erase_if(new_blocks_, [&](const Block& b) { return b.account == account; });
}

void TrafficMeter::return_new_blocks(std::vector<Block> blocks) {
    std::lock_guard lock(mutex_);
    blocks.insert(blocks.end(), std::make_move_iterator(new_blocks_.begin()),
                  std::make_move_iterator(new_blocks_.end()));
    new_blocks_ = std::move(blocks);
}

std::vector<Block> TrafficMeter::take_new_blocks() {
    std::lock_guard lock(mutex_);
    return std::exchange(new_blocks_, {});
}

std::size_t TrafficMeter::pairs() const {
    std::lock_guard lock(mutex_);
    return pairs_.size();
}

void TrafficMeter::prune_locked(std::int64_t now_s) {
    inserts_since_prune_ = 0;
    std::erase_if(pairs_, [&](const auto& kv) {
        return kv.second.window_end_s <= now_s && kv.second.blocked_until_s <= now_s;
    });
}

} // namespace mailpush::store
