// Which attempts start when: the due queue, the total and per-destination limits, rate spacing
// and held routes. A plain class: the caller passes `now` and starts the attempts it returns.
// No I/O, no clock, not thread-safe (the engine uses it on one strand).
#pragma once

#include "mailpush/delivery/attempt_job.hpp"
#include "mailpush/delivery/options.hpp"
#include "mailpush/delivery/records.hpp"
#include "mailpush/delivery/route.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mailpush::delivery {

struct QueuedRecipient {
    int idx = 0;
    std::string address;
    RcptState state = RcptState::queued;
    int attempts = 0;
    std::int64_t next_ms = 0;
    bool in_flight = false;
};

// What an attempt and its outcome need of a message (the envelope's recipients are not kept).
struct MessageInfo {
    std::uint64_t envid = 0;
    std::int64_t received_at_ms = 0;
    std::string mail_from;
    std::string auth_user;
    bool eight_bit = false;
    bool smtputf8 = false;
};

struct QueuedMessage {
    MessageInfo info;
    std::vector<QueuedRecipient> rcpts;
    std::string unsubscribe; // the envelope's: non-empty = one recipient per attempt (its own headers)
};

struct SchedulerLimits {
    unsigned max_deliveries = 200;
    unsigned max_per_destination = 20;
    unsigned max_rate_per_destination = 0; // attempt starts per second; 0 = no limit
};

class Scheduler {
public:
    Scheduler(SchedulerLimits limits, const std::vector<Route>& routes);

    const RouteTable& routes() const { return routes_; }

    // Adds a message with its pending recipients (queued or deferred); none: ignored.
    void add(QueuedMessage message);
    // Attempts to start now, at most one per message and destination, within the limits.
    // Recipients over a limit stay due; held routes stay queued.
    std::vector<AttemptJob> take_due(std::int64_t now);
    // How long until take_due has something to do; nullopt when nothing is queued.
    std::optional<std::chrono::milliseconds> next_wakeup(std::int64_t now) const;

    // The attempt on `destination` ended: frees its place in the limits.
    void release(const std::string& destination);
    // New states after an attempt (each recipient's state, attempts and next attempt). Returns
    // true when every recipient of the message is final: the message is forgotten.
    bool settle(std::uint64_t envid, const std::vector<RecipientRecord>& results);
    // Deferred recipients are due at `now`. False if the message is not queued here.
    bool retry_now(std::uint64_t envid, std::int64_t now);
    void forget(std::uint64_t envid); // deleted, or its body is gone

    const QueuedMessage* find(std::uint64_t envid) const;
    unsigned in_flight() const { return in_flight_; }
    unsigned in_flight(const std::string& destination) const;
    std::size_t size() const { return messages_.size(); }

private:
    bool start_due(std::uint64_t envid, std::int64_t now, std::vector<AttemptJob>& out);
    AttemptJob plan(const QueuedMessage& m, const std::string& domain, const RouteTarget& route,
                    std::string destination, std::vector<QueuedRecipient*>& rcpts, std::int64_t now);

    SchedulerLimits limits_;
    RouteTable routes_;
    std::map<std::uint64_t, QueuedMessage> messages_;
    std::multimap<std::int64_t, std::uint64_t> due_; // next attempt -> message (may hold stale entries)
    std::map<std::string, unsigned, std::less<>> per_destination_;
    std::map<std::string, std::int64_t, std::less<>> next_start_; // rate limit: earliest next start
    unsigned in_flight_ = 0;
    bool blocked_ = false; // the last take_due held something back over a limit: look again soon
};

} // namespace mailpush::delivery
