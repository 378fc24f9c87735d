// Helpers shared by the admin API's route files (private to the api module): replies, body fields.
#pragma once

#include "mailpush/api/admin_api.hpp"
#include "mailpush/store/records.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::store {
class StoreError;
}

namespace mailpush::api::detail {
using nlohmann::json;
struct RouteCall;

// A change made through the admin API, on the security event stream: the admin client's
// address and the account; `detail` never carries a secret.
void admin_change_event(const RouteCall& c, std::string_view kind, const std::string& account,
                        const std::string& detail);

// Thrown by a handler for a refused request; the router turns it into the reply.

struct HttpError {
    unsigned status;
    std::string code;
    std::string message;
};

inline ApiResponse error_response(unsigned status, const std::string& code, const std::string& message) {
    return {status, json{{"error", {{"code", code}, {"message", message}}}}.dump(
                        -1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

inline ApiResponse ok(const json& j, unsigned status = 200) {
    return {status, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

// Reads a required string field from a JSON object body.
inline std::string field(const json& body, const char* name, bool required = true) {
    if (!body.is_object()) throw HttpError{400, "InvalidBody", "the request body must be a JSON object"};
    const auto it = body.find(name);
    if (it == body.end() || it->is_null()) {
        if (required) throw HttpError{400, "MissingParameter", std::string("missing field \"") + name + "\""};
        return {};
    }
    if (!it->is_string())
        throw HttpError{400, "InvalidParameter", std::string("field \"") + name + "\" must be a string"};
    return it->get<std::string>();
}

inline bool bool_field(const json& body, const char* name) {
    if (!body.is_object() || !body.contains(name))
        throw HttpError{400, "MissingParameter", std::string("missing field \"") + name + "\""};
    if (!body[name].is_boolean())
        throw HttpError{400, "InvalidParameter", std::string("field \"") + name + "\" must be true or false"};
    return body[name].get<bool>();
}

// An optional integer field; nullopt if absent.
inline std::optional<std::int64_t> int_field(const json& body, const char* name) {
    if (!body.is_object() || !body.contains(name) || body[name].is_null()) return std::nullopt;
    if (!body[name].is_number_integer())
        throw HttpError{400, "InvalidParameter", std::string("field \"") + name + "\" must be an integer"};
    return body[name].get<std::int64_t>();
}

std::int64_t unix_now();

// A store refusal as a reply: 404 not found, 409 conflict, 422 invalid or over a limit.
ApiResponse store_error_response(const store::StoreError& e);
unsigned store_error_status(const store::StoreError& e);

// The DNS records of a domain: what to publish and what the last check saw.
inline json records_json(const std::vector<store::DnsRecordCheck>& checks) {
    json records = json::array();
    for (const auto& r : checks)
        records.push_back({{"purpose", r.purpose},
                           {"type", r.type},
                           {"host", r.host},
                           {"value", r.value},
                           {"status", r.status},
                           {"found", r.found},
                           {"checked_at", r.checked_at}});
    return records;
}

// A JSON array of to_json(item).
template <class T, class ToJson>
json list_json(const std::vector<T>& items, ToJson&& to_json) {
    json arr = json::array();
    for (const auto& i : items)
        arr.push_back(to_json(i));
    return arr;
}

inline json deleted(const std::string& what) {
    return {{"deleted", what}};
}

} // namespace mailpush::api::detail
