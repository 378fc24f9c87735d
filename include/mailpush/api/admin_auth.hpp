// Who may use the operator listener: the bearer tokens (the token file's and one written in the
// config), compared in constant time, and the failed-login limiter per client IP. Every refusal
// is a security event (admin_unauthorized, admin_throttled); the token never reaches a log.
#pragma once

#include "mailpush/api/failure_limiter.hpp"

#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace mailpush::api {

struct AdminAuthLimits {
    unsigned failures = 10; // failed logins per client IP within the window, then 429
    std::chrono::seconds window{60};
};

class AdminAuth {
public:
    enum class Verdict { allowed, unauthorized, throttled };

    explicit AdminAuth(std::vector<std::string> tokens, AdminAuthLimits limits = {});

    // `authorization` is the request's Authorization header; `client` its peer address. A client
    // over its budget is refused before its token is looked at.
    Verdict check(const std::string& authorization, const std::string& client, const std::string& path);

private:
    bool matches(const std::string& authorization) const;

    std::vector<std::string> tokens_; // empty ones dropped
    std::mutex mutex_;
    FailureLimiter limiter_;
};

// The token in `path`, created first (32 random bytes as 64 hex digits, mode 0600, its directory
// made if missing) when the file does not exist; an existing file is never rewritten. Throws
// std::runtime_error naming the file when it cannot be read or written, or holds too short a token.
std::string ensure_admin_token_file(const std::string& path);

} // namespace mailpush::api
