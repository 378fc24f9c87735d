// Which queued messages a listing shows (GET /v1/queue's filters). Pure: the hold and the clock
// come in as parameters.
#pragma once

#include "mailpush/spool/spool.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace mailpush::spool {

struct QueueFilter {
    std::string sender;    // the envelope sender, compared without case; "" any
    std::string recipient; // one of the recipients, without case
    std::string domain;    // one of the recipients' domains, without case
    std::optional<bool> held;
    std::optional<std::int64_t> received_before_ms, received_after_ms; // from older_than / newer_than

    bool empty() const {
        return sender.empty() && recipient.empty() && domain.empty() && !held && !received_before_ms &&
               !received_after_ms;
    }
    bool matches(const QueueEntry& entry, bool is_held) const;
};

} // namespace mailpush::spool
