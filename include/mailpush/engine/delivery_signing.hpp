// DKIM at delivery (the engine): which domain signs a message, the signatures for
// it, and the 7-bit form of an 8-bit message for a receiver without 8BITMIME, signed again.
// One function signs for both paths (signature_fields), so both carry the same signatures.
#pragma once

#include "mailpush/delivery/attempt_job.hpp"
#include "mailpush/dkim/dkim.hpp"
#include "mailpush/engine/ports.hpp"
#include "mailpush/engine/signature_cache.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::delivery {

// The header From's domain if `owns` says it is one of the account's domains, else the
// envelope sender's domain ("" for a null sender). Lower case.
std::string signing_domain(std::string_view message, const std::string& mail_from,
                           const std::function<bool(const std::string&)>& owns);

// The DKIM-Signature fields for `message` with `keys` (t= `now_s`), to prepend to it; empty if
// there are no keys or signing fails (logged: a bad key or header must not stop delivery).
std::string signature_fields(std::string_view message, const std::vector<dkim::SigningKey>& keys,
                             std::int64_t now_s);

// Signs job.message.body (after the engine's own header changes) with the active keys of the
// signing domain of `account`, and keeps what attempts need to sign a converted body again.
// Both reuse `cache`'s signatures for bytes another job of the message already signed.
void sign_for_delivery(AttemptJob& job, const Accounts& accounts, const std::string& account,
                       std::int64_t now_s, const std::shared_ptr<SignatureCache>& cache);

// The message to submit to a receiver: job.message, or for a receiver without 8BITMIME and a
// body with 8-bit bytes its quoted-printable form (smtp::to_seven_bit), signed again; made once
// per job.
const smtp::OutboundMessage& outbound_for(AttemptJob& job, bool receiver_8bitmime);

} // namespace mailpush::delivery
