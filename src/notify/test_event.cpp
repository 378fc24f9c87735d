#include "mailpush/notify/test_event.hpp"

#include "mailpush/common/calendar.hpp"
#include "mailpush/notify/notifier.hpp"

#include <nlohmann/json.hpp>

namespace mailpush::notify {

TestOutcome send_test_event(NotifyLog& log, const store::NotifyTarget& target, const PostOptions& options,
                            std::int64_t now_ms) {
    const auto text = nlohmann::json{{"event", "Test"},
                                     {"account", target.account},
                                     {"address", target.address},
                                     {"time_ms", now_ms},
                                     {"message", "a test event from mailpush; nothing was sent"}}
                          .dump();
    if (target.target == "queue") {
        log.enqueue(target.account, "Test", text, now_ms);
        return {true, 0, ""};
    }
    const OutboxItem item{0, target.account, target.address, "Test", text, now_ms, 0};
    const auto body = push_body({item});
    std::vector<std::pair<std::string, std::string>> headers;
    if (!target.secret.empty())
        headers.emplace_back("X-Mailpush-Signature", push_signature(target.secret, body));
    HttpPoster poster(options);
    const auto result = poster.post(target.target, "application/json", body, headers);
    return {result.ok, result.status, result.ok ? "" : result.error};
}

} // namespace mailpush::notify
