// A test delivery to a notification target (docs/notifications.md): one event of type "Test",
// put in the account's pull queue for a queue target, or POSTed at once, signed as pushes are,
// to an HTTP target (a connection of its own; the notifier's pushes are not delayed). Blocking.
#pragma once

#include "mailpush/notify/http_post.hpp"
#include "mailpush/notify/notify_log.hpp"
#include "mailpush/store/records.hpp"

#include <cstdint>
#include <string>

namespace mailpush::notify {

struct TestOutcome {
    bool ok = false;
    int status = 0;    // the HTTP status of a push; 0 for a queue target or no answer
    std::string error; // why not ok
};

TestOutcome send_test_event(NotifyLog& log, const store::NotifyTarget& target, const PostOptions& options,
                            std::int64_t now_ms);

} // namespace mailpush::notify
