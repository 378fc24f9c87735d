// Plain records of the account model (SPEC §6) as the store returns them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mailpush::store {

// One DNS record a sending domain must publish, and what the last check found.
struct DnsRecordCheck {
    std::string purpose;    // "ownership", "spf", "mx", "tracking"
    std::string type;       // "TXT", "MX", "CNAME"
    std::string host;       // the name to publish it under
    std::string value;      // what to publish
    std::string status;     // "unchecked", "ok", "missing", "mismatch", "error"
    std::string found;      // what the check saw (joined), for the user
    std::string checked_at; // "" if never
};

struct AccessKey {
    std::string id;
    std::string account;
    std::string secret; // only filled by create_access_key
    std::string created_at;
};

struct Tag {
    std::string account;
    std::string name;
    std::string description;
    std::string created_at;
    std::int64_t id = 0;
};

struct ReceiverList {
    std::string account;
    std::string name;
    std::string alias; // an address: a RCPT to it goes to every member
    std::string description;
    std::int64_t count = 0;
    std::string created_at;
    std::int64_t id = 0;
};

// One recipient row (upload columns, SPEC §6).
struct ReceiverRow {
    std::string email; // EAddr
    std::string user_name;
    std::string nick_name;
    std::string gender;
    std::string birthday;
    std::string mobile;
};

struct RowError {
    std::size_t line = 0; // 1-based line in the upload
    std::string email;
    std::string reason;
};

struct UploadReport {
    std::size_t rows = 0;
    std::size_t added = 0;
    std::size_t updated = 0;
    std::vector<RowError> errors;
};

struct TemplateInput {
    std::string name;
    std::string subject;
    std::string body;
    std::string from_alias;
    std::string type; // "html" or "text"
};

struct Template {
    std::string account;
    std::string name;
    std::string subject;
    std::string body;
    std::string from_alias;
    std::string type;
    std::string status; // "draft", "submitted", "approved", "rejected"
    std::string reason; // rejection reason
    std::string created_at;
    std::string updated_at;
    std::int64_t id = 0;
};

struct SendTask {
    std::int64_t id = 0;
    std::string account;
    std::string address; // sender address
    int address_type = 1;
    std::string template_name;
    std::string receivers;
    std::string tag;
    std::string status; // "sending", "done", "failed"
    std::int64_t total = 0;
    std::int64_t queued = 0;
    std::int64_t skipped = 0; // invalid-library members and the like
    std::string detail;
    std::string created_at;
    bool track = false; // open and click tracking for every message of the task
};

// Where delivery events go (SPEC §7): one target per account, and one per sender address that
// takes precedence for that address's mail. "queue" is the account's pull queue; otherwise an
// http:// or https:// URL the events are POSTed to.
struct NotifyTarget {
    std::string account;
    std::string address; // "" for the account-level target
    std::string target;
    std::vector<std::string> events; // event types delivered (a subset of kNotifyEventTypes)
    std::string secret;              // key of the X-Mailpush-Signature HMAC; "" = not signed
    std::string created_at;
    bool wants(const std::string& event_type) const;
};

inline constexpr const char* kNotifyEventTypes[] = {"Deliver:SendSuccessfully", "Deliver:SendFailed",
                                                    "Deliver:Open", "Deliver:Click", "Monitor:Alarm"};

} // namespace mailpush::store
