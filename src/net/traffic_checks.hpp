// The acceptance-side traffic rules as the SMTP driver asks them (docs/accounts.md): the
// account's submission rate at MAIL and at commit, the sender->recipient fatigue limit at RCPT,
// and the count of accepted messages. Answered from memory (the store's TrafficMeter).
#pragma once

#include "mailpush/smtp/envelope.hpp"
#include "mailpush/smtp/reply.hpp"
#include "mailpush/store/store.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mailpush::net {

// 451 when one more submission of `account` does not fit its rate now (nothing counted).
std::optional<smtp::Reply> submission_refusal(store::Store& store, const store::Directory& dir,
                                              const std::string& account, std::int64_t now_ms);
// The same, counting the submission when it fits (commit); give it back with release_submission.
std::optional<smtp::Reply> reserve_submission(store::Store& store, const store::Directory& dir,
                                              const std::string& account, std::int64_t now_ms);
void release_submission(store::Store& store, const store::Directory& dir, const std::string& account);
// 450 when `sender` has reached the fatigue limit to `rcpt` (the block is recorded); for a
// list alias, when every member not suppressed is blocked.
std::optional<smtp::Reply> fatigue_refusal(store::Store& store, const store::Directory& dir,
                                           const std::string& account, const std::string& sender,
                                           const std::string& rcpt, std::int64_t now_s);
// The recipients an accepted message counts toward the fatigue limit (none when it is off).
std::vector<std::string> fatigue_recipients(const store::Directory& dir, const std::string& account,
                                            const smtp::Envelope& env);
void count_fatigue(store::Store& store, const store::Directory& dir, const std::string& account,
                   const std::string& sender, const std::vector<std::string>& recipients, std::int64_t now_s);

} // namespace mailpush::net
