#include "traffic_checks.hpp"

#include "smtp_metrics.hpp"

namespace mailpush::net {
namespace {
smtp::Reply rate_reply(const store::RateRule& rule) {
    count_rejection("submission_rate");
    return smtp::replies::submission_rate_exceeded("at most " + std::to_string(rule.limit) +
                                                   " submissions per " + std::to_string(rule.window.count()) +
                                                   " s");
}
} // namespace

std::optional<smtp::Reply> submission_refusal(store::Store& store, const store::Directory& dir,
                                              const std::string& account, std::int64_t now_ms) {
    const auto rule = dir.traffic_rules(account).submission;
    if (store.traffic().submission_allowed(account, rule, now_ms)) return std::nullopt;
    return rate_reply(rule);
}

std::optional<smtp::Reply> reserve_submission(store::Store& store, const store::Directory& dir,
                                              const std::string& account, std::int64_t now_ms) {
    const auto rule = dir.traffic_rules(account).submission;
    if (store.traffic().reserve_submission(account, rule, now_ms)) return std::nullopt;
    return rate_reply(rule);
}

void release_submission(store::Store& store, const store::Directory& dir, const std::string& account) {
    store.traffic().release_submission(account, dir.traffic_rules(account).submission);
}

std::optional<smtp::Reply> fatigue_refusal(store::Store& store, const store::Directory& dir,
                                           const std::string& account, const std::string& sender,
                                           const std::string& rcpt, std::int64_t now_s) {
    const auto rule = dir.traffic_rules(account).fatigue;
    bool blocked = false;
    if (const auto* members = dir.alias_members(account, rcpt)) {
        // A list alias: refused only when no member is left to reach (each blocked one is
        // dropped at commit); suppressed members do not count as reachable.
        if (rule.off()) return std::nullopt; // a restored block of a member is still dropped at commit
        std::size_t reachable = 0;
        for (const auto& m : *members)
            if (!dir.suppressed(account, m, sender, dir.filter_level(account)) &&
                !store.traffic().check_fatigue(account, sender, m, rule, now_s).blocked)
                ++reachable;
        blocked = reachable == 0 && !members->empty();
    } else {
        blocked = store.traffic().check_fatigue(account, sender, rcpt, rule, now_s).blocked;
    }
    if (!blocked) return std::nullopt;
    count_rejection("fatigue_limit");
    return smtp::replies::fatigue_blocked(rcpt);
}

std::vector<std::string> fatigue_recipients(const store::Directory& dir, const std::string& account,
                                            const smtp::Envelope& env) {
    std::vector<std::string> out;
    if (dir.traffic_rules(account).fatigue.off()) return out;
    for (const auto& r : env.recipients)
        out.push_back(r.address);
    return out;
}

void count_fatigue(store::Store& store, const store::Directory& dir, const std::string& account,
                   const std::string& sender, const std::vector<std::string>& recipients,
                   std::int64_t now_s) {
    const auto rule = dir.traffic_rules(account).fatigue;
    for (const auto& r : recipients)
        store.traffic().count_fatigue(account, sender, r, rule, now_s);
}

} // namespace mailpush::net
