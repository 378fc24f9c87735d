// Which attempts start when: two due lanes (first attempts before retries, retries limited to a
// share of max_deliveries), the total and per-destination limits ([[destination]] rules, else
// the [delivery] defaults), rate spacing, the automatic slow-down after rate-limit replies,
// warm-up caps per sending domain and held routes. A plain class: the caller passes `now` and
// starts the attempts it returns. No I/O, no clock, not thread-safe (the engine uses it on one
// strand). A destination over a limit parks its messages until it opens again, so a backlog
// there costs nothing per tick elsewhere.
#pragma once

#include "mailpush/delivery/attempt_job.hpp"
#include "mailpush/delivery/destination_rules.hpp"
#include "mailpush/delivery/options.hpp"
#include "mailpush/delivery/records.hpp"
#include "mailpush/delivery/route.hpp"
#include "mailpush/delivery/throttle.hpp"
#include "mailpush/delivery/warmup.hpp"
#include "mailpush/smtp/packed_envelope.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::delivery {

// A recipient's place in the schedule; its address is the message's envelope's (by idx).
struct QueuedRecipient {
    int idx = 0;
    RcptState state = RcptState::queued;
    int attempts = 0;
    std::int64_t next_ms = 0;
    bool in_flight = false;
};

// What an attempt and its outcome need of a message: its envelope is the spool index's own,
// shared (one copy per queued message).
struct MessageInfo {
    std::uint64_t envid = 0;
    std::int64_t received_at_ms = 0;
    std::shared_ptr<const smtp::PackedEnvelope> envelope; // never null
    std::string_view mail_from() const { return envelope->mail_from(); }
    std::string_view auth_user() const { return envelope->auth_user(); }
    std::string_view address(int idx) const { return envelope->address(static_cast<std::size_t>(idx)); }
    bool via_api() const { return envelope->via_api(); } // submitted through the OpenAPI (WEB/API items)
};

struct QueuedMessage {
    MessageInfo info;
    std::vector<QueuedRecipient> rcpts;
    // Each recipient gets a body of its own (List-Unsubscribe lines, tracking links).
    bool per_recipient() const { return info.envelope->per_recipient(); }
    // Warm-up of the sending domain, when it has a plan (the shell asks the accounts).
    std::optional<WarmupPlan> warmup;
    bool held = false; // the operator's hold: no attempt starts until it is released
};

struct SchedulerLimits {
    unsigned max_deliveries = 200;
    unsigned max_per_destination = 20;
    unsigned max_rate_per_destination = 0; // attempt starts per second; 0 = no limit
    unsigned retry_share_percent = 50;     // retries hold at most this share of max_deliveries (at least 1)
    int utc_offset_minutes = 480;          // warm-up days
};

// A first attempt held back by its sending domain's warm-up cap: due at the next day's start.
struct WarmupDeferral {
    std::uint64_t envid = 0;
    int idx = 0;
    std::string address;
    std::int64_t next_ms = 0;
    std::uint64_t cap = 0;
};

// What an attempt's replies said about its destination.
enum class AttemptSignal { other, delivered, rate_limited };

// Asked before an attempt of a message starts, once its limits let it (the shell's budget of
// memory for large bodies): `admit` false and the message waits, holding no place in any limit,
// until memory_freed(); `refund` gives back an admission the warm-up cap then left unused.
struct AttemptAdmission {
    std::function<bool(std::uint64_t envid)> admit;
    std::function<void(std::uint64_t envid)> refund;
};

class Scheduler {
public:
    Scheduler(SchedulerLimits limits, const std::vector<Route>& routes,
              const std::vector<DestinationRule>& rules = {}, SlowdownPolicy slowdown = {});

    const RouteTable& routes() const { return routes_; }
    void set_admission(AttemptAdmission admission) { admission_ = std::move(admission); }
    // Memory was given back: the messages admission turned away are due again at `now`.
    void memory_freed(std::int64_t now);

    // Adds a message with its pending recipients (queued or deferred); none: ignored.
    void add(QueuedMessage message);
    // Attempts to start now, at most one per message and destination, within the limits.
    // Recipients over a limit stay due; held routes stay queued.
    std::vector<AttemptJob> take_due(std::int64_t now);
    // How long until take_due has something to do; nullopt when nothing is queued.
    std::optional<std::chrono::milliseconds> next_wakeup(std::int64_t now) const;

    // The attempt ended: frees its place in the limits.
    void release(const AttemptJob& job);
    // New states after an attempt (each recipient's state, attempts and next attempt). Returns
    // true when every recipient of the message is final: the message is forgotten.
    bool settle(std::uint64_t envid, const std::vector<RecipientRecord>& results);
    // Deferred recipients are due at `now`. False if the message is not queued here.
    bool retry_now(std::uint64_t envid, std::int64_t now);
    // Holds a message (attempts in flight finish; none starts) or releases it (its due
    // recipients start from `now`). False if the message is not queued here.
    bool set_held(std::uint64_t envid, bool held, std::int64_t now);
    void forget(std::uint64_t envid); // deleted, or its body is gone

    // What the shell learnt: the MX host reached for a domain ([[destination]] mx: patterns),
    // and what an attempt's replies said (slow-down and recovery).
    void learn_mx(const std::string& domain, const std::string& mx_host) { rules_.learn_mx(domain, mx_host); }
    ThrottleChange observe(const std::string& destination, AttemptSignal signal, std::int64_t started_ms,
                           std::int64_t now);
    // The warm-up deferrals made since the last call (the shell records them).
    std::vector<WarmupDeferral> take_warmup_deferrals();

    const QueuedMessage* find(std::uint64_t envid) const;
    unsigned in_flight() const { return in_flight_; }
    unsigned in_flight(const std::string& destination) const;
    unsigned retries_in_flight() const { return retries_in_flight_; }
    std::size_t size() const { return messages_.size(); }
    const Throttle& throttle() const { return throttle_; }
    const DestinationRules& rules() const { return rules_; }
    // The limits in force for a destination key now (rule, then slow-down).
    DestinationLimits limits_of(const std::string& destination) const;

private:
    struct Waiting { // messages parked on a destination over a limit, first attempts first
        DestinationLimits normal;
        std::deque<std::uint64_t> fresh, retry;
    };
    void start_due(std::uint64_t envid, std::int64_t now, std::vector<AttemptJob>& out);
    void unpark(std::int64_t now, std::vector<AttemptJob>& out);
    bool open(const std::string& key, const DestinationLimits& normal, std::int64_t now) const;
    void count_start(const std::string& key, const DestinationLimits& normal, std::int64_t now);
    // Keeps the first attempts the sending domain's warm-up cap allows today; defers the rest.
    void apply_warmup(QueuedMessage& m, std::vector<QueuedRecipient*>& rcpts, std::int64_t now,
                      std::int64_t& later);
    AttemptJob plan(const QueuedMessage& m, const std::string& domain, const RouteTarget& route,
                    std::string route_key, std::vector<QueuedRecipient*>& rcpts, std::int64_t now);
    unsigned retry_cap() const;

    SchedulerLimits limits_;
    RouteTable routes_;
    DestinationRules rules_;
    Throttle throttle_;
    std::map<std::uint64_t, QueuedMessage> messages_;
    // Next attempt -> message, per lane (may hold stale entries).
    std::multimap<std::int64_t, std::uint64_t> fresh_due_, retry_due_;
    std::map<std::string, Waiting, std::less<>> waiting_;
    std::map<std::string, unsigned, std::less<>> per_destination_;
    std::map<std::string, double, std::less<>>
        next_start_; // rate limit: earliest next start (ms, fractional)
    struct DayCount {
        std::int64_t day = 0;
        std::uint64_t started = 0;
    };
    std::map<std::string, DayCount, std::less<>> warmup_counts_; // sending domain -> today's first attempts
    std::vector<WarmupDeferral> warmup_deferrals_;
    unsigned in_flight_ = 0;
    unsigned retries_in_flight_ = 0;
    bool full_ = false;          // the last take_due stopped at max_deliveries or the retry share
    AttemptAdmission admission_; // none set: every attempt is admitted
    std::set<std::uint64_t> waiting_for_memory_; // turned away by admission_, in no lane
};

} // namespace mailpush::delivery
