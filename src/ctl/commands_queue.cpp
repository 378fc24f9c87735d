// queue and events: /v1/queue and /v1/events.
#include "command.hpp"
#include "http_client.hpp"

namespace mailpush::ctl {
namespace {

const std::vector<std::string> kQueueColumns{"envid", "mail_from", "recipients", "size", "received_at_ms"};
const std::vector<std::string> kRecipientColumns{"address", "state", "attempts", "last_reply"};

std::string message_path(const Invocation& in) {
    return "/v1/queue/" + in.encoded(0);
}

// queue list's filters as the query of GET /v1/queue; the pages are followed by print_pages.
Call queue_list(const Invocation& in) {
    std::string query;
    const std::pair<const char*, const char*> filters[] = {
        {"sender", "sender"}, {"recipient", "recipient"},   {"domain", "domain"},
        {"state", "state"},   {"older-than", "older_than"}, {"newer-than", "newer_than"}};
    for (const auto& [flag, param] : filters)
        if (in.has(flag))
            query += std::string(query.empty() ? "?" : "&") + param + "=" + url_encode(in.opt(flag));
    Call call{"GET", "/v1/queue" + query, nullptr, kQueueColumns, "messages"};
    call.paged = true;
    if (const auto n = in.number("limit")) {
        if (*n == 0) throw UsageError{"--limit needs a number above 0"};
        call.max_rows = static_cast<std::size_t>(*n);
    }
    return call;
}

// The reply is a list of event lines (no columns).
Call events(const Invocation& in) {
    if (!in.has("env")) throw UsageError{"events needs --env ENVID"};
    return {"GET", "/v1/events?env_id=" + url_encode(in.opt("env")), nullptr, {}};
}

} // namespace

std::span<const Command> queue_commands() {
    static const Command rows[] = {
        {{"status"},
         "",
         [](const Invocation&) {
             return Call{
                 "GET",
                 "/v1/status",
                 nullptr,
                 {"version", "uptime_s", "queued_messages", "storage_low", "notify_outbox", "accounts"}};
         }},
        {{"queue", "list"},
         "[--sender ADDR] [--recipient ADDR] [--domain DOMAIN] [--state held|queued] [--older-than AGE] "
         "[--newer-than AGE] [--limit N]",
         queue_list},
        {{"queue", "show"},
         "ENVID",
         [](const Invocation& in) {
             // Each recipient's state, attempts and last reply (from the delivery log once delivered).
             return Call{"GET", message_path(in), nullptr, kRecipientColumns, "recipients"};
         }},
        {{"queue", "delete"},
         "ENVID",
         [](const Invocation& in) {
             return Call{"DELETE", message_path(in), nullptr, {"deleted"}};
         }},
        {{"queue", "retry"},
         "ENVID",
         [](const Invocation& in) {
             return Call{"POST", message_path(in) + "/retry", nullptr, {"envid", "retry"}};
         }},
        {{"queue", "hold"},
         "ENVID",
         [](const Invocation& in) {
             return Call{"POST", message_path(in) + "/hold", nullptr, {"envid", "held"}};
         }},
        {{"queue", "release"},
         "ENVID",
         [](const Invocation& in) {
             return Call{"POST", message_path(in) + "/release", nullptr, {"envid", "held"}};
         }},
        {{"events"}, "--env ENVID", events},
    };
    return rows;
}

} // namespace mailpush::ctl
