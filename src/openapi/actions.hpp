// The OpenAPI actions (private to the module): each reads its parameters, calls the store or the
// send service, and returns the reply body without RequestId. Errors are thrown as ApiError.
#pragma once

#include "mailpush/openapi/account_slots.hpp"
#include "mailpush/openapi/openapi.hpp"
#include "mailpush/openapi/send_service.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::store {
struct Domain;
}

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
    AccountSlots& blocking;

    // Holds one of the account's slots for blocking work (DNS, batch sends) while the action
    // runs; Throttling.User at once when the account has none left.
    AccountSlots::Slot blocking_slot() const;
    // A security event of this account from this client (`detail` without secrets).
    void report(std::string_view kind, const std::string& detail) const;

    // Parameter helpers: MissingParameter / InvalidParameter on bad input.
    std::string required(const char* name) const;
    std::string optional(const char* name, const std::string& fallback = "") const;
    std::int64_t integer(const char* name, std::int64_t fallback, std::int64_t min, std::int64_t max) const;
    std::int64_t required_integer(const char* name) const;
};

using Action = nlohmann::json (*)(ActionContext&);

struct ActionSpec {
    Action run;
    std::vector<std::string_view> unsupported; // SDK parameters the action does not implement
    bool sends = false; // a success counts as a send (the monitor's WEB/API 发信成功)
};

// nullptr for an unknown action.
const ActionSpec* find_action(const std::string& name);

// The first parameter the action would ignore (an unsupported or identity parameter, or a
// flattened part of one), or nullopt.
std::optional<std::string> unsupported_parameter(const ActionSpec& action,
                                                 const std::map<std::string, std::string>& params);

// The item of `items` (the caller's own) with this id; Invalid{what}.NotFound otherwise.
template <class T>
T by_id(const std::vector<T>& items, std::int64_t id, const char* what) {
    for (const auto& i : items)
        if (i.id == id) return i;
    throw ApiError{404, std::string("Invalid") + what + ".NotFound",
                   std::string("The specified ") + what + " does not exist."};
}

// A required numeric id parameter; InvalidParameter if it is not a number.
std::int64_t id_param(ActionContext& c, const char* name);

// DescDomain's Dkim* and Dmarc* fields (actions_dkim.cpp).
nlohmann::json domain_dkim_fields(const store::Domain& d);

// `part` of `whole` as the console shows it: "33.33%", "25%", "0%" (also for a whole of 0).
std::string percent(std::int64_t part, std::int64_t whole);

std::string iso_time(const std::string& sqlite_utc); // "2026-11-23 10:00:00" -> "2026-11-23T10:00Z"
std::int64_t unix_time(const std::string& sqlite_utc);

} // namespace mailpush::openapi::detail
