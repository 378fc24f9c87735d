// /v1/queue and /v1/events: the queued messages, their delivery history, retry and cancel.
#include "admin_router.hpp"
#include "admin_util.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/delivery/delivery_log.hpp"
#include "mailpush/delivery/engine.hpp"
#include "mailpush/spool/queue_filter.hpp"
#include "mailpush/spool/spool.hpp"

#include <algorithm>

namespace mailpush::api::detail {
namespace {

json to_json(const spool::QueueEntry& e, bool held) {
    const auto& env = *e.envelope;
    json rcpts = json::array();
    for (std::size_t i = 0; i < env.recipient_count(); ++i)
        rcpts.push_back({{"address", env.address(i)}, {"state", "queued"}});
    return {{"envid", std::to_string(e.envid)},
            {"mail_from", env.mail_from()},
            {"recipients", rcpts},
            {"size", e.size},
            {"received_at_ms", e.received_at_ms},
            {"peer", env.peer()},
            {"track_opens", env.track_opens()},
            {"track_links", env.track_links()},
            {"held", held}};
}

bool is_held(const AdminServices& s, std::uint64_t envid) {
    if (!s.log) return false;
    const auto held = s.log->held();
    return std::binary_search(held.begin(), held.end(), envid);
}

std::uint64_t parse_envid(const std::string& s) {
    auto v = common::parse_u64(s);
    if (!v) throw HttpError{400, "InvalidParameter", "envid must be a decimal number"};
    return *v;
}

// GET /v1/queue: a page of the queue in envid order, filtered (docs/admin-api.md, "Queue").
constexpr std::size_t kDefaultPage = 100, kMostPage = 1000;
const char* const kListParameters[] = {"limit",  "cursor", "sender",     "recipient",
                                       "domain", "state",  "older_than", "newer_than"};

spool::QueueFilter queue_filter(const RouteCall& c, std::int64_t now_ms) {
    for (const auto& [key, value] : c.query)
        if (std::find_if(std::begin(kListParameters), std::end(kListParameters),
                         [&](const char* k) { return key == k; }) == std::end(kListParameters))
            throw HttpError{400, "InvalidParameter", "unknown parameter: " + key};
    spool::QueueFilter f;
    f.sender = c.query_or_empty("sender");
    f.recipient = c.query_or_empty("recipient");
    f.domain = c.query_or_empty("domain");
    if (const auto state = c.query_or_empty("state"); !state.empty()) {
        if (state != "held" && state != "queued")
            throw HttpError{400, "InvalidParameter", "state must be held or queued"};
        f.held = state == "held";
    }
    const auto age = [&](const char* key) -> std::optional<std::int64_t> {
        const auto text = c.query_or_empty(key);
        if (text.empty()) return std::nullopt;
        const auto d = common::parse_duration(text);
        if (!d)
            throw HttpError{400, "InvalidParameter",
                            std::string(key) + " must be a duration (30s, 10m, 2h, 3d)"};
        return now_ms - d->count();
    };
    f.received_before_ms = age("older_than");
    f.received_after_ms = age("newer_than");
    return f;
}

ApiResponse list_queue(const AdminServices& s, const RouteCall& c) {
    std::size_t limit = kDefaultPage;
    if (const auto text = c.query_or_empty("limit"); !text.empty()) {
        const auto n = common::parse_u64(text);
        if (!n || *n == 0 || *n > kMostPage)
            throw HttpError{400, "InvalidParameter", "limit must be 1 to " + std::to_string(kMostPage)};
        limit = static_cast<std::size_t>(*n);
    }
    std::uint64_t after = 0;
    if (const auto text = c.query_or_empty("cursor"); !text.empty()) {
        const auto n = common::parse_u64(text);
        if (!n) throw HttpError{400, "InvalidParameter", "cursor must be the next_cursor of a previous page"};
        after = *n;
    }
    const auto filter = queue_filter(c, unix_now() * 1000);
    const auto held = s.log ? s.log->held() : std::vector<std::uint64_t>{}; // sorted
    const auto is_held = [&](std::uint64_t envid) {
        return std::binary_search(held.begin(), held.end(), envid);
    };
    const auto page = s.spool.page(after, limit, [&](const spool::QueueEntry& e) {
        return filter.empty() || filter.matches(e, is_held(e.envid));
    });
    json messages = json::array();
    for (const auto& e : page.entries)
        messages.push_back(to_json(e, is_held(e.envid)));
    return ok({{"messages", std::move(messages)},
               {"next_cursor", page.more ? std::to_string(page.entries.back().envid) : ""},
               {"total", s.spool.size()}});
}

ApiResponse events(const AdminServices& s, const RouteCall& c) {
    if (!c.query.count("env_id")) throw HttpError{400, "MissingParameter", "env_id is required"};
    const auto envid = parse_envid(c.query.at("env_id"));
    json arr = json::array();
    if (s.log)
        for (const auto& ev : s.log->events(envid))
            arr.push_back(ev);
    return ok(arr);
}

// The spool's entry (if still queued) with the delivery log's recipients and attempts.
ApiResponse show_message(const AdminServices& s, const RouteCall& c) {
    const auto& id = c.param("envid");
    const auto envid = parse_envid(id);
    auto e = s.spool.find(envid);
    json out = e ? to_json(*e, is_held(s, envid)) : json{{"envid", id}};
    out["queued"] = e.has_value();
    if (!s.log) {
        if (!e) throw HttpError{404, "NotFound", "no queued message with envid " + id};
        return ok(out);
    }
    json rcpts = json::array(), attempts = json::array();
    for (const auto& r : s.log->recipients(envid))
        rcpts.push_back({{"address", r.address},
                         {"state", delivery::to_string(r.state)},
                         {"attempts", r.attempts},
                         {"next_attempt_ms", r.next_attempt_ms},
                         {"last_reply", r.last_reply},
                         {"failed_type", r.failed_type},
                         {"status", r.status}});
    for (const auto& a : s.log->attempts(envid))
        attempts.push_back({{"rcpt_index", a.idx},
                            {"started_ms", a.started_ms},
                            {"ended_ms", a.ended_ms},
                            {"host", a.host},
                            {"reply", a.reply}});
    if (!rcpts.empty()) out["recipients"] = rcpts;
    out["attempts"] = attempts;
    if (!e && rcpts.empty()) throw HttpError{404, "NotFound", "no message with envid " + id};
    return ok(out);
}

ApiResponse retry_message(const AdminServices& s, const RouteCall& c) {
    const auto& id = c.param("envid");
    const auto envid = parse_envid(id);
    if (!s.spool.find(envid)) throw HttpError{404, "NotFound", "no queued message with envid " + id};
    if (s.engine) s.engine->retry_now(envid);
    return ok({{"envid", id}, {"retry", "scheduled"}});
}

// POST .../hold and .../release: the message stays queued without attempts until released.
ApiResponse hold_message(const AdminServices& s, const RouteCall& c) {
    const auto& id = c.param("envid");
    const auto envid = parse_envid(id);
    if (!s.spool.find(envid)) throw HttpError{404, "NotFound", "no queued message with envid " + id};
    const bool held = c.param("verb") == "hold";
    // Written before the reply, so a listing or a show right after it sees the new state; the
    // engine then applies it to its schedule.
    if (s.log) s.log->set_held(envid, held, unix_now() * 1000);
    if (s.engine) s.engine->hold(envid, held);
    return ok({{"envid", id}, {"held", held}});
}

ApiResponse delete_message(const AdminServices& s, const RouteCall& c) {
    const auto& id = c.param("envid");
    const auto envid = parse_envid(id);
    const auto entry = s.spool.find(envid);
    if (!entry || !s.spool.remove(envid))
        throw HttpError{404, "NotFound", "no queued message with envid " + id};
    std::vector<std::string> addresses;
    for (std::size_t i = 0; i < entry->envelope->recipient_count(); ++i)
        addresses.emplace_back(entry->envelope->address(i));
    if (s.engine) s.engine->cancel(envid, std::move(addresses));
    return ok(deleted(id));
}

} // namespace

std::span<const Route> queue_routes() {
    static const Route routes[] = {
        {"GET", "/v1/events", Access::admin, events},
        {"GET", "/v1/queue", Access::admin, list_queue},
        {"GET", "/v1/queue/{envid}", Access::admin, show_message},
        {"POST", "/v1/queue/{envid}/retry", Access::admin, retry_message},
        {"POST", "/v1/queue/{envid}/{verb}", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             if (c.param("verb") != "hold" && c.param("verb") != "release")
                 throw HttpError{404, "NotFound", "no such endpoint: " + c.param("verb")};
             return hold_message(s, c);
         }},
        {"DELETE", "/v1/queue/{envid}", Access::admin, delete_message},
    };
    return routes;
}

} // namespace mailpush::api::detail
