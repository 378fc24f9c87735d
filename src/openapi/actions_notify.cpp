// The notification pull queue through the OpenAPI (SPEC §7): an application receives and deletes
// its account's delivery events with its own access key. Not DirectMail actions (the hosted
// service hands events to its message queue service); named and shaped after them.
#include "actions.hpp"

#include "mailpush/common/strings.hpp"

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

} // namespace mailpush::openapi::detail
