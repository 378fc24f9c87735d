// Admin API routes for event notifications (SPEC §7, docs/notifications.md): targets per account
// and per sender address, and the account's pull queue.
#include "admin_util.hpp"

#include "mailpush/api/admin_api.hpp"
#include "mailpush/notify/notify_log.hpp"
#include "mailpush/store/store.hpp"

namespace mailpush::api {
using namespace detail;

namespace {
json to_json(const store::NotifyTarget& t) {
    return {{"account", t.account}, {"address", t.address}, {"target", t.target},
            {"events", t.events},   {"secret", t.secret},   {"created_at", t.created_at}};
}

std::vector<std::string> string_list(const json& body, const char* name) {
    std::vector<std::string> out;
    if (!body.is_object() || !body.contains(name) || body[name].is_null()) return out;
    if (!body[name].is_array())
        throw HttpError{400, "InvalidParameter",
                        std::string("field \"") + name + "\" must be an array of strings"};
    for (const auto& e : body[name]) {
        if (!e.is_string())
            throw HttpError{400, "InvalidParameter",
                            std::string("field \"") + name + "\" must be an array of strings"};
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
} // namespace

void AdminApi::attach_notify(notify::NotifyLog& log, std::int64_t visibility_ms) {
    notify_log_ = &log;
    visibility_ms_ = visibility_ms;
}

std::optional<ApiResponse> AdminApi::handle_notify(const std::string& m, const Path& path, const Query& query,
                                                   const json& body) {
    if (path.size() < 2 || path[1] != "notify") return std::nullopt;
    const auto n = path.size();
    const auto q = [&](const char* k) { return query.count(k) ? query.at(k) : std::string(); };
    if (n == 2 && m == "GET")
        return ok(
            list_json(store_.list_notify_targets(q("account")), [](const auto& t) { return to_json(t); }));
    if (n == 2 && m == "PUT") {
        const auto t = store_.set_notify_target(field(body, "account"), field(body, "address", false),
                                                field(body, "target"), string_list(body, "events"),
                                                field(body, "secret", false));
        return ok(to_json(t));
    }
    if (n == 2 && m == "DELETE") {
        if (q("account").empty())
            throw HttpError{400, "MissingParameter", "missing query parameter \"account\""};
        store_.remove_notify_target(q("account"), q("address"));
        return ok({{"deleted", true}});
    }
    if (!notify_log_) throw HttpError{503, "Unavailable", "notifications are not available"};
    if (n == 3 && path[2] == "receive" && m == "POST") {
        const auto account = field(body, "account");
        store_.get_account(account); // 404 for an unknown account
        const auto max = int_field(body, "max").value_or(10);
        if (max < 1 || max > 16) throw HttpError{400, "InvalidParameter", "field \"max\" must be 1 to 16"};
        const auto messages =
            notify_log_->receive(account, static_cast<std::size_t>(max), notify::unix_ms(), visibility_ms_);
        return ok(list_json(messages, [](const auto& msg) { return queue_message_json(msg); }));
    }
    if (n == 3 && path[2] == "delete" && m == "POST") {
        const auto account = field(body, "account");
        const auto receipts = string_list(body, "receipts");
        if (receipts.empty() || receipts.size() > 16)
            throw HttpError{400, "InvalidParameter", "field \"receipts\" must list 1 to 16 receipt handles"};
        const auto unmatched = notify_log_->remove(account, receipts);
        return ok({{"deleted", receipts.size() - unmatched.size()}, {"unmatched", unmatched}});
    }
    if (n == 3 && path[2] == "queue" && m == "GET") {
        if (q("account").empty())
            throw HttpError{400, "MissingParameter", "missing query parameter \"account\""};
        return ok({{"account", q("account")}, {"messages", notify_log_->queue_size(q("account"))}});
    }
    return std::nullopt;
}

} // namespace mailpush::api
