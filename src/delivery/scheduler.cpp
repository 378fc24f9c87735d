#include "mailpush/delivery/scheduler.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/smtp/command.hpp"

#include <algorithm>
#include <climits>
#include <cmath>

namespace mailpush::delivery {

namespace {
constexpr std::int64_t kRecheckMs = 1000; // stopped at a total limit: look again after this long at most

bool is_final(RcptState s) {
    return s == RcptState::delivered || s == RcptState::failed || s == RcptState::expired;
}

// Fractional: rates above 1000 per second keep their spacing (starts are whole milliseconds).
double interval_ms(double rate_per_second) {
    return 1000.0 / rate_per_second;
}
} // namespace

Scheduler::Scheduler(SchedulerLimits limits, const std::vector<Route>& routes,
                     const std::vector<DestinationRule>& rules, SlowdownPolicy slowdown)
    : limits_(limits)
    , routes_(routes)
    , rules_(rules, DestinationLimits{limits.max_per_destination, 0,
                                      static_cast<double>(limits.max_rate_per_destination)})
    , throttle_(slowdown) {}

unsigned Scheduler::retry_cap() const {
    return std::max(1u, limits_.max_deliveries * std::min(limits_.retry_share_percent, 100u) / 100);
}

void Scheduler::add(QueuedMessage message) {
    if (message.rcpts.empty()) return;
    std::int64_t first_fresh = INT64_MAX, first_retry = INT64_MAX;
    for (const auto& r : message.rcpts) {
        auto& first = r.attempts == 0 ? first_fresh : first_retry;
        first = std::min(first, r.next_ms);
    }
    const auto envid = message.info.envid;
    messages_[envid] = std::move(message);
    if (first_fresh != INT64_MAX) fresh_due_.emplace(first_fresh, envid);
    if (first_retry != INT64_MAX) retry_due_.emplace(first_retry, envid);
}

std::vector<AttemptJob> Scheduler::take_due(std::int64_t now) {
    std::vector<AttemptJob> out;
    full_ = false;
    unpark(now, out);
    // First attempts before retries: a backlog of retries never delays fresh mail.
    while (!fresh_due_.empty() && fresh_due_.begin()->first <= now && in_flight_ < limits_.max_deliveries) {
        const auto envid = fresh_due_.begin()->second;
        fresh_due_.erase(fresh_due_.begin());
        start_due(envid, now, out);
    }
    while (!retry_due_.empty() && retry_due_.begin()->first <= now && in_flight_ < limits_.max_deliveries &&
           retries_in_flight_ < retry_cap()) {
        const auto envid = retry_due_.begin()->second;
        retry_due_.erase(retry_due_.begin());
        start_due(envid, now, out);
    }
    return out;
}

// Parked messages of destinations that are open again, as many as they can take.
void Scheduler::unpark(std::int64_t now, std::vector<AttemptJob>& out) {
    for (auto it = waiting_.begin(); it != waiting_.end();) {
        auto& w = it->second;
        while (in_flight_ < limits_.max_deliveries && open(it->first, w.normal, now)) {
            std::uint64_t envid = 0;
            if (!w.fresh.empty()) {
                envid = w.fresh.front();
                w.fresh.pop_front();
            } else if (!w.retry.empty() && retries_in_flight_ < retry_cap()) {
                envid = w.retry.front();
                w.retry.pop_front();
            } else {
                break;
            }
            start_due(envid, now, out);
        }
        it = (w.fresh.empty() && w.retry.empty()) ? waiting_.erase(it) : std::next(it);
    }
}

bool Scheduler::open(const std::string& key, const DestinationLimits& normal, std::int64_t now) const {
    const auto limits = throttle_.apply(key, normal);
    if (in_flight(key) >= limits.max_connections) return false;
    if (now < throttle_.paused_until(key)) return false;
    if (limits.rate_per_second > 0) {
        const auto it = next_start_.find(key);
        // Open while the next start falls within the current millisecond [now, now + 1).
        if (it != next_start_.end() && it->second >= static_cast<double>(now + 1)) return false;
    }
    return true;
}

void Scheduler::count_start(const std::string& key, const DestinationLimits& normal, std::int64_t now) {
    const auto limits = throttle_.apply(key, normal);
    if (limits.rate_per_second > 0) { // even spacing between starts per destination
        auto& next_ok = next_start_[key];
        next_ok = std::max(next_ok, static_cast<double>(now)) + interval_ms(limits.rate_per_second);
    }
    ++per_destination_[key];
    ++in_flight_;
}

// At a limit that only an ending attempt frees (max_deliveries, the retry share, a destination's
// connections) there is no time to wake up at: the attempt's end calls take_due again.
std::optional<std::chrono::milliseconds> Scheduler::next_wakeup(std::int64_t now) const {
    std::int64_t at = INT64_MAX;
    const bool room = in_flight_ < limits_.max_deliveries;
    const bool retry_room = room && retries_in_flight_ < retry_cap();
    if (!fresh_due_.empty() && room) at = std::min(at, fresh_due_.begin()->first);
    if (!retry_due_.empty() && retry_room) at = std::min(at, retry_due_.begin()->first);
    for (const auto& [key, w] : waiting_) {
        if (!(w.fresh.empty() ? retry_room : room)) continue;
        if (in_flight(key) >= throttle_.apply(key, w.normal).max_connections) continue;
        std::int64_t opens = throttle_.paused_until(key);
        if (const auto it = next_start_.find(key); it != next_start_.end())
            opens = std::max(opens, static_cast<std::int64_t>(std::floor(it->second)));
        at = std::min(at, opens);
    }
    if (full_ && room) at = std::min(at, now + kRecheckMs);
    if (at == INT64_MAX) return std::nullopt;
    return std::chrono::milliseconds(std::max<std::int64_t>(0, at - now));
}

DestinationLimits Scheduler::limits_of(const std::string& destination) const {
    const DestinationRule* rule = nullptr;
    if (destination.starts_with("rule:"))
        for (const auto& r : rules_.rules())
            if (destination.compare(5, std::string::npos, r.name) == 0) rule = &r;
    return throttle_.apply(destination, rules_.limits(rule));
}

void Scheduler::apply_warmup(QueuedMessage& m, std::vector<QueuedRecipient*>& rcpts, std::int64_t now,
                             std::int64_t& later) {
    if (!m.warmup) return;
    const auto cap = m.warmup->cap_at(now, limits_.utc_offset_minutes);
    if (!cap) return;
    const auto today = day_index(now, limits_.utc_offset_minutes);
    auto& count = warmup_counts_[common::to_lower(smtp::split_address(m.info.mail_from()).second)];
    if (count.day != today) count = {today, 0};
    const auto tomorrow = day_start_ms(today + 1, limits_.utc_offset_minutes);
    std::erase_if(rcpts, [&](QueuedRecipient* r) {
        if (r->attempts > 0) return false; // counted at its first attempt
        if (count.started < *cap) {
            ++count.started;
            return false;
        }
        r->next_ms = tomorrow;
        r->state = RcptState::deferred;
        later = std::min(later, tomorrow);
        warmup_deferrals_.push_back(
            {m.info.envid, r->idx, std::string(m.info.address(r->idx)), tomorrow, *cap});
        return true;
    });
}

// Starts attempts for the due recipients of one message, one per domain. A group over a total
// limit goes back to its lane; one whose destination is over its own limits is parked there.
void Scheduler::start_due(std::uint64_t envid, std::int64_t now, std::vector<AttemptJob>& out) {
    auto it = messages_.find(envid);
    if (it == messages_.end()) return;
    QueuedMessage& m = it->second;
    if (m.held) return; // out of the lanes until set_held puts it back
    std::map<std::string, std::vector<QueuedRecipient*>> by_domain;
    std::int64_t later_fresh = INT64_MAX, later_retry = INT64_MAX;
    for (auto& r : m.rcpts) {
        if (r.in_flight || is_final(r.state)) continue;
        if (r.next_ms > now) {
            auto& later = r.attempts == 0 ? later_fresh : later_retry;
            later = std::min(later, r.next_ms);
            continue;
        }
        // A message with per-recipient headers (List-Unsubscribe) or links (tracking) goes one
        // recipient per attempt.
        auto group = common::to_lower(smtp::split_address(m.info.address(r.idx)).second);
        if (m.per_recipient()) group += '\n' + std::to_string(r.idx);
        by_domain[group].push_back(&r);
    }
    for (auto& [group, rcpts] : by_domain) {
        const std::string domain = group.substr(0, group.find('\n'));
        const auto& route = routes_.lookup(domain);
        if (route.kind == RouteTarget::Kind::hold) continue; // stays queued until the route changes
        const bool retry =
            std::all_of(rcpts.begin(), rcpts.end(), [](const auto* r) { return r->attempts > 0; });
        auto& lane_later = retry ? later_retry : later_fresh;
        if (in_flight_ >= limits_.max_deliveries || (retry && retries_in_flight_ >= retry_cap())) {
            full_ = true;
            lane_later = std::min(lane_later, now);
            continue;
        }
        auto route_key = destination_key(route, domain);
        const auto* rule = rules_.rule_for(domain);
        const auto key = rule ? "rule:" + rule->name : route_key;
        const auto normal = rules_.limits(rule);
        if (!open(key, normal, now)) {
            auto& w = waiting_[key];
            w.normal = normal;
            (retry ? w.retry : w.fresh).push_back(envid);
            continue;
        }
        if (admission_.admit && !admission_.admit(envid)) {
            waiting_for_memory_.insert(envid); // back in the lanes at memory_freed
            continue;
        }
        apply_warmup(m, rcpts, now, later_fresh);
        if (rcpts.empty()) {
            if (admission_.refund) admission_.refund(envid);
            continue;
        }
        count_start(key, normal, now);
        if (retry) ++retries_in_flight_;
        auto job = plan(m, domain, route, std::move(route_key), rcpts, now);
        job.destination = key;
        job.retry = retry;
        job.max_messages_per_connection = throttle_.apply(key, normal).max_messages_per_connection;
        out.push_back(std::move(job));
    }
    if (later_fresh != INT64_MAX) fresh_due_.emplace(later_fresh, envid);
    if (later_retry != INT64_MAX) retry_due_.emplace(later_retry, envid);
}

AttemptJob Scheduler::plan(const QueuedMessage& m, const std::string& domain, const RouteTarget& route,
                           std::string route_key, std::vector<QueuedRecipient*>& rcpts, std::int64_t now) {
    AttemptJob job;
    job.envid = m.info.envid;
    job.domain = domain;
    job.route = route;
    job.cache_key = std::move(route_key);
    job.started_ms = now;
    const auto& env = *m.info.envelope;
    job.message.mail_from = env.mail_from();
    job.message.eight_bit = env.eight_bit();
    job.message.smtputf8 = env.smtputf8();
    job.auth_user = env.auth_user();
    job.unsubscribe = env.unsubscribe();
    job.track_opens = env.track_opens();
    job.track_links = env.track_links();
    for (auto* r : rcpts) {
        r->in_flight = true;
        job.rcpt_indices.push_back(r->idx);
        job.message.recipients.emplace_back(env.address(static_cast<std::size_t>(r->idx)));
    }
    return job;
}

void Scheduler::release(const AttemptJob& job) {
    --in_flight_;
    if (job.retry) --retries_in_flight_;
    const auto it = per_destination_.find(job.destination);
    if (it != per_destination_.end() && --it->second == 0) per_destination_.erase(it);
}

ThrottleChange Scheduler::observe(const std::string& destination, AttemptSignal signal,
                                  std::int64_t started_ms, std::int64_t now) {
    switch (signal) {
    case AttemptSignal::rate_limited:
        return throttle_.on_rate_limited(destination, started_ms, now);
    case AttemptSignal::delivered:
        return throttle_.on_delivered(destination, now);
    case AttemptSignal::other:
        break;
    }
    return ThrottleChange::none;
}

std::vector<WarmupDeferral> Scheduler::take_warmup_deferrals() {
    std::vector<WarmupDeferral> out;
    out.swap(warmup_deferrals_);
    return out;
}

bool Scheduler::settle(std::uint64_t envid, const std::vector<RecipientRecord>& results) {
    auto it = messages_.find(envid);
    if (it == messages_.end()) return false;
    auto& rcpts = it->second.rcpts;
    for (const auto& res : results) {
        auto r = std::find_if(rcpts.begin(), rcpts.end(),
                              [&](const QueuedRecipient& q) { return q.idx == res.idx; });
        if (r == rcpts.end()) continue;
        r->in_flight = false;
        r->state = res.state;
        r->attempts = res.attempts;
        r->next_ms = res.next_attempt_ms;
    }
    bool all_final = true;
    std::int64_t next = INT64_MAX;
    for (const auto& r : rcpts) {
        if (!is_final(r.state) || r.in_flight) all_final = false;
        if (r.state == RcptState::deferred && !r.in_flight && r.attempts > 0)
            next = std::min(next, r.next_ms);
    }
    if (next != INT64_MAX) retry_due_.emplace(next, envid);
    if (all_final) messages_.erase(it);
    return all_final;
}

void Scheduler::memory_freed(std::int64_t now) {
    for (const auto envid : waiting_for_memory_) { // start_due looks at each recipient's due time
        fresh_due_.emplace(now, envid);
        retry_due_.emplace(now, envid);
    }
    waiting_for_memory_.clear();
}

bool Scheduler::retry_now(std::uint64_t envid, std::int64_t now) {
    auto it = messages_.find(envid);
    if (it == messages_.end()) return false;
    for (auto& r : it->second.rcpts)
        if (r.state == RcptState::deferred && !r.in_flight) r.next_ms = now;
    fresh_due_.emplace(now, envid); // the operator asked: both lanes look at it now
    retry_due_.emplace(now, envid);
    return true;
}

bool Scheduler::set_held(std::uint64_t envid, bool held, std::int64_t now) {
    auto it = messages_.find(envid);
    if (it == messages_.end()) return false;
    it->second.held = held;
    if (!held) { // back in both lanes: start_due looks at each recipient's own due time
        fresh_due_.emplace(now, envid);
        retry_due_.emplace(now, envid);
    }
    return true;
}

void Scheduler::forget(std::uint64_t envid) {
    messages_.erase(envid);
}

const QueuedMessage* Scheduler::find(std::uint64_t envid) const {
    const auto it = messages_.find(envid);
    return it == messages_.end() ? nullptr : &it->second;
}

unsigned Scheduler::in_flight(const std::string& destination) const {
    const auto it = per_destination_.find(destination);
    return it == per_destination_.end() ? 0 : it->second;
}

} // namespace mailpush::delivery
