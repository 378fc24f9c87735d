// Test helper: a packed envelope from a sender and recipient addresses (the rest as a test sets).
#pragma once

#include "mailpush/smtp/packed_envelope.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mailpush::testing {

inline std::shared_ptr<const smtp::PackedEnvelope>
packed(std::string mail_from, std::vector<std::string> rcpts, std::string auth_user = {},
       const std::function<void(smtp::Envelope&)>& tweak = {}) {
    smtp::Envelope e;
    e.mail_from = std::move(mail_from);
    e.auth_user = std::move(auth_user);
    for (auto& r : rcpts)
        e.recipients.push_back({std::move(r), {}, {}});
    if (tweak) tweak(e);
    return std::make_shared<const smtp::PackedEnvelope>(e);
}

} // namespace mailpush::testing
