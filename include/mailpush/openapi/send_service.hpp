// Sending through the API (SingleSendMail, BatchSendMail, the service's own mails): the same
// checks as SMTP (account status, IP protection, quotas, invalid-address library, alias
// expansion) and the same spool commit, so nothing is acknowledged that is not on disk.
// Blocking; throws ApiError with the documented code when a check fails (nothing is sent).
#pragma once

#include "mailpush/common/client_origin.hpp"
#include "mailpush/openapi/openapi.hpp"
#include "mailpush/store/suppression.hpp"

#include <functional>
#include <string>
#include <vector>

namespace mailpush::openapi {

struct SingleSend {
    std::string account; // the authenticated account
    std::string sender;  // AccountName: a sender address of that account
    int address_type = 1;
    bool use_reply_to = false; // ReplyToAddress=true: the address's verified reply-to
    std::string reply_address; // ReplyAddress (explicit)
    std::string reply_alias;
    std::string to;  // ToAddress, comma separated
    std::string bcc; // BccAddress, comma separated
    std::string from_alias;
    std::string subject;
    std::string html_body;
    std::string text_body;
    std::string tag;
    bool click_trace = false;
    std::string headers_json;             // Headers
    std::string unsubscribe_link_type;    // UnSubscribeLinkType: "", default, disabled
    std::string unsubscribe_filter_level; // UnSubscribeFilterLevel: "", default, mailfrom, ...
};

// What a SingleSendMail did beyond its first envid (docs/suppression.md).
struct SingleResult {
    std::uint64_t envid = 0;             // the first message's
    std::vector<std::string> suppressed; // recipients skipped: on the suppression list
    std::vector<std::string> blocked;    // recipients skipped: the fatigue limit blocks them
};

struct BatchSend {
    std::string account;
    std::string sender;
    int address_type = 1;
    std::string template_name;
    std::string receivers;
    std::string tag;
    bool click_trace = false; // ClickTrace=1 / a task's track: opens and clicks
    std::string reply_address;
    std::string reply_alias;
    std::string unsubscribe_link_type;
    std::string unsubscribe_filter_level;
};

class SendService {
public:
    SendService(store::Store& store, const OpenApiOptions& options, const OpenApiBackends& backends);

    // Suppressed recipients are skipped (all of them: InvalidToAddress.Suppressed), and so are
    // those the fatigue limit blocks (all of them: InvalidToAddress.Blocked). Over the account's
    // submission rate: Throttling.User, nothing sent. With an
    // unsubscribe link each recipient gets a message of its own (a per-recipient header).
    SingleResult single(const SingleSend& request, const common::ClientOrigin& origin, std::int64_t now_s);
    // Renders the template for each list member and commits one message per member.
    store::SendTask batch(const BatchSend& request, const common::ClientOrigin& origin, std::int64_t now_s,
                          std::uint64_t& first_envid);
    // A mail from the service itself (no account, no quota), e.g. reply-to verification.
    std::uint64_t system_mail(const std::string& to, const std::string& subject, const std::string& text);
    // The mail with the reply-to confirmation link (SPEC §6: valid 10 minutes), in English or,
    // with `chinese`, in Chinese.
    std::uint64_t reply_to_verification(const std::string& address, const std::string& reply_to,
                                        const std::string& token, bool chinese = false);

private:
    // InvalidClickTrace.NotVerified if tracking is `wanted` and the sender's domain may not track.
    void check_tracking(const std::string& sender, bool wanted) const;
    // sender address, account state, IP protection, verified domain, type.
    std::string check_sender(const std::string& account, const std::string& sender,
                             const common::ClientOrigin& origin, bool batch);
    // Hands each recipient the suppression list stopped to delivery for its event.
    void record_suppressed(std::vector<store::SuppressedSend> stopped) const;
    // The List-Unsubscribe lines for one recipient, "" if the message gets none.
    std::string unsubscribe_lines(const store::UnsubscribeClaim& claim, bool wanted) const;
    using Message = std::pair<smtp::Envelope, std::string>;
    // Commits `count` messages made one at a time by `make(i)`, at most 256 in flight, so a
    // batch never holds more than that many in memory. Returns each one's envid or nullopt.
    std::vector<std::optional<std::uint64_t>> commit_all(std::size_t count,
                                                         const std::function<Message(std::size_t)>& make,
                                                         const common::ClientOrigin& origin);

    store::Store& store_;
    const OpenApiOptions& options_;
    const OpenApiBackends& backends_;
};

} // namespace mailpush::openapi
