// The answer to a session's commit_message action, given by whoever stores the message (the
// spool). No I/O.
#pragma once

#include "mailpush/smtp/reply.hpp"

#include <cstdint>
#include <optional>

namespace mailpush::smtp {

struct CommitResult {
    bool ok = false;
    std::uint64_t envid = 0;
    std::optional<Reply> refusal; // not stored on purpose (e.g. the quota ran out meanwhile)
};

} // namespace mailpush::smtp
