// The DirectMail-compatible OpenAPI (SPEC §9): RPC style, version 2015-11-23, parameters in the
// query and a form body, JSON replies, errors as {Code, Message, RequestId}. Every request is
// signed with an access key (ACS3-HMAC-SHA256 or RPC HMAC-SHA1), fresh (timestamp within the
// skew) and unique (nonce). Blocking (SQLite, spool commit): run it on a worker thread.
// Handles untrusted input: everything in the request.
#pragma once

#include "mailpush/common/client_origin.hpp"
#include "mailpush/delivery/report.hpp"
#include "mailpush/delivery/track_report.hpp"
#include "mailpush/notify/notify_log.hpp"
#include "mailpush/notify/test_event.hpp"
#include "mailpush/openapi/account_slots.hpp"
#include "mailpush/openapi/nonce_cache.hpp"
#include "mailpush/openapi/options.hpp"
#include "mailpush/openapi/signature.hpp"
#include "mailpush/smtp/envelope.hpp"
#include "mailpush/store/monitor.hpp"
#include "mailpush/store/records.hpp"
#include "mailpush/store/suppression.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mailpush::store {
class Store;
}

namespace mailpush::openapi {

// What the API needs from the rest of the server.
struct OpenApiBackends {
    using Done = std::function<void(std::optional<std::uint64_t>)>;
    // Commits a message durably and hands it to delivery; `done` (any thread) gets the envid, or
    // nullopt on a storage failure.
    std::function<void(smtp::Envelope, std::string body, std::string peer_ip, Done done)> submit;
    // Looks up the records of `checks` in DNS and judges them. Blocks.
    std::function<std::vector<store::DnsRecordCheck>(std::vector<store::DnsRecordCheck>)> check_dns;
    // A recipient the suppression list stopped (skipped by a send): recorded as a delivery event.
    std::function<void(store::SuppressedSend)> suppressed;
    // True while free space is below the spool's limit (sends are then refused, as at MAIL).
    std::function<bool()> storage_low;
    // Delivery reporting (the delivery log): details and daily statistics.
    std::function<std::vector<delivery::ReportRow>(const delivery::DetailQuery&)> details;
    std::function<std::int64_t(const delivery::DetailQuery&)> count_details;
    std::function<std::vector<delivery::StatRow>(const delivery::StatQuery&)> stats;
    // Tracking statistics (the delivery log): opens and clicks per day of the send.
    std::function<std::vector<delivery::TrackStatRow>(const delivery::TrackQuery&)> track_stats;
    // The account's notification pull queue (SPEC §7): receive hides what it returns for the
    // visibility timeout; delete takes current receipt handles and returns those that matched none.
    std::function<std::vector<notify::QueueMessage>(const std::string& account, std::size_t max)>
        receive_notifications;
    std::function<std::vector<std::string>(const std::string& account,
                                           const std::vector<std::string>& receipts)>
        delete_notifications;
    // A test event to a target (docs/notifications.md), and the depth of an account's pull queue.
    std::function<notify::TestOutcome(const store::NotifyTarget&)> test_notification;
    std::function<std::size_t(const std::string& account)> notification_queue_size;
};

struct ApiError {
    unsigned status;
    std::string code;
    std::string message;
    std::optional<store::MonitorItem> monitor = {}; // the monitor item this refusal counts toward
};

struct Reply {
    unsigned status = 200;
    std::string body;
};

class SendService;

class OpenApi {
public:
    OpenApi(store::Store& store, OpenApiOptions options, OpenApiBackends backends);
    ~OpenApi();
    // Every action of the account is refused from an address outside its IP protection list
    // (an internal origin is not checked).
    Reply handle(const SignedRequest& request, const common::ClientOrigin& origin, std::int64_t now_s);

    // One action as `account`, for a caller that authenticated it another way (the console's
    // session, docs/console.md): the same actions, checks and replies, without a signature.
    Reply call_as(const std::string& account, const std::string& action,
                  const std::map<std::string, std::string>& params, const common::ClientOrigin& origin,
                  std::int64_t now_s);

    SendService& sender() { return *send_; }
    // Set before serving: the HTTP port may be known only after binding (port 0).
    void set_public_url(std::string url);

private:
    using ParamMap = std::map<std::string, std::string>;
    struct Caller {
        std::string account;
        std::string action;  // from a signed part of the request only
        std::string version; // likewise
    };
    // Verifies the signature and freshness; throws ApiError.
    Caller authenticate(const SignedRequest& request, const ParamMap& params,
                        const common::ClientOrigin& origin, std::int64_t now_s);
    void update_public_names();
    // Runs `run` (given the request id) and turns every exception into the error reply.
    // `account`: the caller's, once known (it is filled in by `run`), for the monitor items.
    Reply guarded(const std::string& action, const std::string& account,
                  const std::function<Reply(const std::string&)>& run);
    void count_monitor(const std::string& account, store::MonitorItem item);
    Reply dispatch(const std::string& action, const std::string& account, const ParamMap& params,
                   const std::string& request_id, const common::ClientOrigin& origin, std::int64_t now_s);

    store::Store& store_;
    OpenApiOptions options_;
    OpenApiBackends backends_;
    NonceCache nonces_;
    AccountSlots blocking_;
    std::vector<std::string> public_names_; // hosts a signature may name
    std::unique_ptr<SendService> send_;
};

} // namespace mailpush::openapi
