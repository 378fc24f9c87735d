// The OpenAPI actions (private to the module): each reads its parameters, calls the store or the
// send service, and returns the reply body without RequestId. Errors are thrown as ApiError.
#pragma once

#include "mailpush/openapi/openapi.hpp"
#include "mailpush/openapi/send_service.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace mailpush::openapi::detail {

struct ActionContext {
    store::Store& store;
    SendService& send;
    const OpenApiOptions& options;
    const OpenApiBackends& backends;
    const std::string& account;
    const std::map<std::string, std::string>& params;
    const common::ClientOrigin& origin;
    std::int64_t now_s;

    // Parameter helpers: MissingParameter / InvalidParameter on bad input.
    std::string required(const char* name) const;
    std::string optional(const char* name, const std::string& fallback = "") const;
    std::int64_t integer(const char* name, std::int64_t fallback, std::int64_t min, std::int64_t max) const;
    std::int64_t required_integer(const char* name) const;
};

using Action = nlohmann::json (*)(ActionContext&);

// nullptr for an unknown action.
Action find_action(const std::string& name);

std::string iso_time(const std::string& sqlite_utc); // "2026-11-23 10:00:00" -> "2026-11-23T10:00Z"
std::int64_t unix_time(const std::string& sqlite_utc);

} // namespace mailpush::openapi::detail
