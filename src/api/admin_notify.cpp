// /v1/notify: event notification targets per account and per sender address, and the account's
// pull queue (docs/notifications.md).
#include "admin_router.hpp"
#include "admin_util.hpp"

#include "mailpush/notify/notify_log.hpp"
#include "mailpush/store/store.hpp"

namespace mailpush::api::detail {
namespace {

json to_json(const store::NotifyTarget& t) {
    return {{"account", t.account}, {"address", t.address}, {"target", t.target},
            {"events", t.events},   {"secret", t.secret},   {"created_at", t.created_at}};
}

std::vector<std::string> string_list(const json& body, const char* name) {
    std::vector<std::string> out;
    if (!body.is_object() || !body.contains(name) || body[name].is_null()) return out;
    const auto refuse = [&] {
        return HttpError{400, "InvalidParameter",
                         std::string("field \"") + name + "\" must be an array of strings"};
    };
    if (!body[name].is_array()) throw refuse();
    for (const auto& e : body[name]) {
        if (!e.is_string()) throw refuse();
        out.push_back(e.get<std::string>());
    }
    return out;
}

json queue_message_json(const notify::QueueMessage& m) {
    return {{"receipt", m.receipt},
            {"type", m.type},
            {"message", m.text},
            {"dequeue_count", m.dequeue_count},
            {"enqueued_ms", m.enqueued_ms},
            {"first_dequeue_ms", m.first_dequeue_ms},
            {"next_visible_ms", m.next_visible_ms}};
}

std::string required_account_query(const RouteCall& c) {
    auto account = c.query_or_empty("account");
    if (account.empty()) throw HttpError{400, "MissingParameter", "missing query parameter \"account\""};
    return account;
}

notify::NotifyLog& pull_queue(const AdminServices& s) {
    if (!s.notify_log) throw HttpError{503, "Unavailable", "notifications are not available"};
    return *s.notify_log;
}

ApiResponse set_target(const AdminServices& s, const RouteCall& c) {
    const auto t = s.store.set_notify_target(field(c.body, "account"), field(c.body, "address", false),
                                             field(c.body, "target"), string_list(c.body, "events"),
                                             field(c.body, "secret", false));
    return ok(to_json(t));
}

ApiResponse receive(const AdminServices& s, const RouteCall& c) {
    auto& queue = pull_queue(s);
    const auto account = field(c.body, "account");
    s.store.get_account(account); // 404 for an unknown account
    const auto max = int_field(c.body, "max").value_or(10);
    if (max < 1 || max > 16) throw HttpError{400, "InvalidParameter", "field \"max\" must be 1 to 16"};
    const auto messages =
        queue.receive(account, static_cast<std::size_t>(max), notify::unix_ms(), s.visibility_ms);
    return ok(list_json(messages, [](const auto& msg) { return queue_message_json(msg); }));
}

ApiResponse remove_messages(const AdminServices& s, const RouteCall& c) {
    auto& queue = pull_queue(s);
    const auto account = field(c.body, "account");
    const auto receipts = string_list(c.body, "receipts");
    if (receipts.empty() || receipts.size() > 16)
        throw HttpError{400, "InvalidParameter", "field \"receipts\" must list 1 to 16 receipt handles"};
    const auto unmatched = queue.remove(account, receipts);
    return ok({{"deleted", receipts.size() - unmatched.size()}, {"unmatched", unmatched}});
}

} // namespace

std::span<const Route> notify_routes() {
    static const Route routes[] = {
        {"GET", "/v1/notify", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(list_json(s.store.list_notify_targets(c.query_or_empty("account")),
                                 [](const auto& t) { return to_json(t); }));
         }},
        {"PUT", "/v1/notify", Access::admin, set_target},
        {"DELETE", "/v1/notify", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             s.store.remove_notify_target(required_account_query(c), c.query_or_empty("address"));
             return ok({{"deleted", true}});
         }},
        {"POST", "/v1/notify/receive", Access::admin, receive},
        {"POST", "/v1/notify/delete", Access::admin, remove_messages},
        {"GET", "/v1/notify/queue", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             auto& queue = pull_queue(s);
             const auto account = required_account_query(c);
             return ok({{"account", account}, {"messages", queue.queue_size(account)}});
         }},
    };
    return routes;
}

} // namespace mailpush::api::detail
