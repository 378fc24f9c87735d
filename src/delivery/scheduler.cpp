#include "mailpush/delivery/scheduler.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/smtp/command.hpp"

#include <algorithm>
#include <climits>

namespace mailpush::delivery {

namespace {
constexpr std::int64_t kRecheckMs = 1000; // over a limit: look again after this long at most

bool is_final(RcptState s) {
    return s == RcptState::delivered || s == RcptState::failed || s == RcptState::expired;
}
} // namespace

Scheduler::Scheduler(SchedulerLimits limits, const std::vector<Route>& routes)
    : limits_(limits)
    , routes_(routes) {}

void Scheduler::add(QueuedMessage message) {
    if (message.rcpts.empty()) return;
    std::int64_t first = INT64_MAX;
    for (const auto& r : message.rcpts)
        first = std::min(first, r.next_ms);
    const auto envid = message.info.envid;
    messages_[envid] = std::move(message);
    due_.emplace(first, envid);
}

std::vector<AttemptJob> Scheduler::take_due(std::int64_t now) {
    std::vector<AttemptJob> out;
    std::vector<std::uint64_t> blocked; // due, but over a limit: look again later
    while (!due_.empty() && due_.begin()->first <= now && in_flight_ < limits_.max_deliveries) {
        const auto envid = due_.begin()->second;
        due_.erase(due_.begin());
        if (!start_due(envid, now, out)) blocked.push_back(envid);
    }
    for (auto envid : blocked)
        due_.emplace(now, envid);
    blocked_ = !blocked.empty();
    return out;
}

std::optional<std::chrono::milliseconds> Scheduler::next_wakeup(std::int64_t now) const {
    if (due_.empty() && !blocked_) return std::nullopt;
    std::int64_t wait = due_.empty() ? kRecheckMs : std::max<std::int64_t>(0, due_.begin()->first - now);
    if (blocked_) wait = std::min(wait, kRecheckMs);
    return std::chrono::milliseconds(wait);
}

// Starts attempts for the due recipients of one message, one per domain. Returns false if some
// were held back by a limit.
bool Scheduler::start_due(std::uint64_t envid, std::int64_t now, std::vector<AttemptJob>& out) {
    auto it = messages_.find(envid);
    if (it == messages_.end()) return true;
    QueuedMessage& m = it->second;
    std::map<std::string, std::vector<QueuedRecipient*>> by_domain;
    std::int64_t later = INT64_MAX;
    for (auto& r : m.rcpts) {
        if (r.in_flight || is_final(r.state)) continue;
        if (r.next_ms > now) {
            later = std::min(later, r.next_ms);
            continue;
        }
        // A message with per-recipient headers (List-Unsubscribe) goes one recipient per attempt.
        auto group = common::to_lower(smtp::split_address(r.address).second);
        if (!m.unsubscribe.empty()) group += '\n' + std::to_string(r.idx);
        by_domain[group].push_back(&r);
    }
    bool all_started = true;
    for (auto& [group, rcpts] : by_domain) {
        const std::string domain = group.substr(0, group.find('\n'));
        const auto& route = routes_.lookup(domain);
        if (route.kind == RouteTarget::Kind::hold) continue; // stays queued until the route changes
        auto key = destination_key(route, domain);
        auto& busy = per_destination_[key];
        if (in_flight_ >= limits_.max_deliveries || busy >= limits_.max_per_destination) {
            if (busy == 0) per_destination_.erase(key);
            all_started = false;
            continue;
        }
        if (limits_.max_rate_per_destination > 0) { // even spacing between starts per destination
            auto& next_ok = next_start_[key];
            if (now < next_ok) {
                if (busy == 0) per_destination_.erase(key);
                later = std::min(later, next_ok);
                continue;
            }
            next_ok =
                std::max(next_ok, now) +
                std::max<std::int64_t>(1, 1000 / static_cast<std::int64_t>(limits_.max_rate_per_destination));
        }
        ++in_flight_;
        ++busy;
        out.push_back(plan(m, domain, route, std::move(key), rcpts, now));
    }
    if (later != INT64_MAX) due_.emplace(later, envid);
    return all_started;
}

AttemptJob Scheduler::plan(const QueuedMessage& m, const std::string& domain, const RouteTarget& route,
                           std::string destination, std::vector<QueuedRecipient*>& rcpts, std::int64_t now) {
    AttemptJob job;
    job.envid = m.info.envid;
    job.domain = domain;
    job.route = route;
    job.cache_key = std::move(destination);
    job.started_ms = now;
    job.message.mail_from = m.info.mail_from;
    job.message.eight_bit = m.info.eight_bit;
    job.message.smtputf8 = m.info.smtputf8;
    job.auth_user = m.info.auth_user;
    job.unsubscribe = m.unsubscribe;
    for (auto* r : rcpts) {
        r->in_flight = true;
        job.rcpt_indices.push_back(r->idx);
        job.message.recipients.push_back(r->address);
    }
    return job;
}

void Scheduler::release(const std::string& destination) {
    --in_flight_;
    const auto it = per_destination_.find(destination);
    if (it != per_destination_.end() && --it->second == 0) per_destination_.erase(it);
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
        if (r.state == RcptState::deferred && !r.in_flight) next = std::min(next, r.next_ms);
    }
    if (next != INT64_MAX) due_.emplace(next, envid);
    if (all_final) messages_.erase(it);
    return all_final;
}

bool Scheduler::retry_now(std::uint64_t envid, std::int64_t now) {
    auto it = messages_.find(envid);
    if (it == messages_.end()) return false;
    for (auto& r : it->second.rcpts)
        if (r.state == RcptState::deferred && !r.in_flight) r.next_ms = now;
    due_.emplace(now, envid);
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
