// The notification pull queue through the OpenAPI (SPEC §7): an application receives and deletes
// its account's delivery events with its own access key. Not DirectMail actions (the hosted
// service hands events to its message queue service); named and shaped after them.
#include "actions.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/store/store.hpp"

namespace mailpush::openapi::detail {
using nlohmann::json;

namespace {
constexpr std::int64_t kMaxBatch = 16; // per call, as the hosted queue's batch receive/delete

void require_queue(const ActionContext& c) {
    if (!c.backends.receive_notifications || !c.backends.delete_notifications)
        throw ApiError{503, "ServiceUnavailable", "Notifications are not available."};
}
} // namespace

json receive_notifications(ActionContext& c) {
    require_queue(c);
    const auto max = c.integer("MaxCount", 10, 1, kMaxBatch);
    json list = json::array();
    for (const auto& m : c.backends.receive_notifications(c.account, static_cast<std::size_t>(max)))
        list.push_back({{"ReceiptHandle", m.receipt},
                        {"EventType", m.type},
                        {"MessageBody", m.text},
                        {"DequeueCount", m.dequeue_count},
                        {"EnqueueTime", m.enqueued_ms},
                        {"FirstDequeueTime", m.first_dequeue_ms},
                        {"NextVisibleTime", m.next_visible_ms}});
    return {{"Messages", {{"Message", list}}}};
}

json delete_notifications(ActionContext& c) {
    require_queue(c);
    const auto receipts = common::split_list(c.required("ReceiptHandles"), ',');
    if (receipts.empty() || static_cast<std::int64_t>(receipts.size()) > kMaxBatch)
        throw ApiError{400, "InvalidParameter", "ReceiptHandles must list 1 to 16 comma-separated handles."};
    const auto failed = c.backends.delete_notifications(c.account, receipts);
    return {{"DeletedCount", receipts.size() - failed.size()}, {"Failed", {{"ReceiptHandle", failed}}}};
}

// ---- targets (ours; the admin API's /v1/notify for the account itself) ---------------------------

namespace {
json target_json(const store::NotifyTarget& t) {
    std::string events;
    for (const auto& e : t.events)
        events += (events.empty() ? "" : ",") + e;
    return {{"Address", t.address},
            {"Target", t.target},
            {"Events", events},
            {"Signed", !t.secret.empty()},
            {"CreateTime", t.created_at}};
}

// The account's target for Address ("" its account-wide one); InvalidParameter.NotFound if none.
store::NotifyTarget target_of(ActionContext& c) {
    const auto address = c.optional("Address");
    for (auto& t : c.store.list_notify_targets(c.account))
        if (t.address == address) return t;
    throw ApiError{404, "InvalidParameter.NotFound", "No notification target is set for this address."};
}
} // namespace

// Target: "queue" (the pull queue) or an http(s) URL; Events: types, comma-separated (none: all).
json set_notify_target(ActionContext& c) {
    const auto events = common::split_list(c.optional("Events"), ',');
    return target_json(c.store.set_notify_target(c.account, c.optional("Address"), c.required("Target"),
                                                 events, c.optional("Secret")));
}

json query_notify_targets(ActionContext& c) {
    json list = json::array();
    for (const auto& t : c.store.list_notify_targets(c.account))
        list.push_back(target_json(t));
    return {{"Targets", list},
            {"QueueSize",
             c.backends.notification_queue_size ? c.backends.notification_queue_size(c.account) : 0}};
}

json delete_notify_target(ActionContext& c) {
    const auto t = target_of(c);
    c.store.remove_notify_target(c.account, t.address);
    return json::object();
}

json test_notify_target(ActionContext& c) {
    if (!c.backends.test_notification)
        throw ApiError{503, "ServiceUnavailable", "Notifications are not available."};
    const auto slot = c.blocking_slot(); // a POST to the account's endpoint
    const auto outcome = c.backends.test_notification(target_of(c));
    return {{"Delivered", outcome.ok}, {"HttpStatus", outcome.status}, {"Error", outcome.error}};
}

} // namespace mailpush::openapi::detail
