// The console's HTTP side: static files, sign-in and sign-out, and the calls of a signed-in
// session (docs/console.md).
#include "mailpush/api/console.hpp"

#include "mailpush/api/http_limits.hpp"
#include "mailpush/common/calendar.hpp"
#include "mailpush/common/client_origin.hpp"
#include "mailpush/common/password_hash.hpp"
#include "mailpush/common/random.hpp"
#include "mailpush/common/security_log.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/openapi/openapi.hpp"
#include "mailpush/store/password_policy.hpp"
#include "mailpush/store/store.hpp"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

namespace mailpush::api {
using nlohmann::json;

namespace {
constexpr std::string_view kPrefix = "/console";
constexpr std::string_view kApi = "/console/api/";

ApiResponse error(unsigned status, std::string_view code, std::string_view message,
                  ApiResponse::Headers headers = {}) {
    return {status, json{{"error", {{"code", code}, {"message", message}}}}.dump(), "application/json",
            std::move(headers)};
}

// The value of cookie `name` in the request's Cookie headers, "" when absent.
std::string cookie_value(const ApiRequest& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
        if (!common::iequals(k, "cookie")) continue;
        std::string_view rest = v;
        while (!rest.empty()) {
            const auto end = std::min(rest.find(';'), rest.size());
            auto pair = common::trim(rest.substr(0, end));
            rest = end < rest.size() ? rest.substr(end + 1) : std::string_view{};
            const auto eq = pair.find('=');
            if (eq != std::string_view::npos && pair.substr(0, eq) == name)
                return std::string(pair.substr(eq + 1));
        }
    }
    return {};
}

const char* cookie_name(bool operator_listener) {
    return operator_listener ? "mp_operator" : "mp_console";
}

// A change must not come from another site: a browser's Origin, when it sends one, names our host.
bool same_origin(const ApiRequest& r) {
    const auto origin = request_header(r, "origin");
    if (origin.empty()) return true;
    const auto host = request_header(r, "host");
    const auto scheme_end = origin.find("://");
    return !host.empty() && scheme_end != std::string::npos &&
           common::iequals(origin.substr(scheme_end + 3), host);
}

json session_json(const auth::Session& s, int utc_offset_minutes) {
    return {{"account", s.account},
            {"operator", s.operator_mode},
            {"csrf", s.csrf},
            {"expires_s", s.expires_s},
            {"utc_offset_minutes", utc_offset_minutes}};
}

// The params of an action: a JSON object whose values are strings, numbers or booleans.
std::map<std::string, std::string> action_params(const json& body) {
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : body.items()) {
        if (v.is_string())
            out[k] = v.get<std::string>();
        else if (v.is_boolean())
            out[k] = v.get<bool>() ? "true" : "false";
        else if (v.is_number_integer())
            out[k] = std::to_string(v.get<std::int64_t>());
        else if (!v.is_null())
            throw std::invalid_argument(k);
    }
    return out;
}
} // namespace

Console::Console(const ConsoleOptions& options, ConsoleAssets assets, store::Store& store, AdminApi& admin,
                 openapi::OpenApi* open_api, int utc_offset_minutes)
    : options_(options)
    , assets_(std::move(assets))
    , store_(store)
    , admin_(admin)
    , open_api_(open_api)
    , utc_offset_minutes_(utc_offset_minutes)
    , sessions_(auth::SessionLimits{options.session_idle, options.session_lifetime})
    , ip_failures_(options.sign_in_failures, options.sign_in_window)
    , account_failures_(options.sign_in_failures, options.sign_in_window)
    , dummy_hash_(common::hash_password(common::random_token(16), store.limits().password_cost)) {}

Console::~Console() = default;

ApiResponse Console::answer(const ApiRequest& r, bool operator_listener) {
    try {
        const std::string path(request_path(r.target));
        if (path.starts_with(kApi)) {
            if (path == "/console/api/session") return session_route(r, operator_listener);
            const auto who = signed_in(r, operator_listener);
            if (!who) return error(401, "SignInRequired", "sign in first");
            return call(r, *who, path.substr(kApi.size()), operator_listener);
        }
        if (r.method != "GET" && r.method != "HEAD")
            return error(405, "MethodNotAllowed", "the console's files are read with GET",
                         {{"Allow", "GET, HEAD"}});
        if (path == kPrefix) return {301, "", "text/plain", {{"Location", "/console/"}}};
        const auto name = path.substr(kPrefix.size() + 1);
        return file(r, name.empty() ? "index.html" : name);
    } catch (const std::exception& e) {
        spdlog::error("console.error path={} error=\"{}\"", r.target.substr(0, r.target.find('?')), e.what());
        return error(500, "InternalError", "internal error");
    }
}

ApiResponse Console::file(const ApiRequest& r, const std::string& name) const {
    const auto* f = assets_.find(name);
    if (!f) {
        if (assets_.empty())
            return {503, "The console is not built: run tools/build.sh (docs/console.md).\n",
                    "text/plain; charset=utf-8"};
        return {404, "Not found\n", "text/plain; charset=utf-8"};
    }
    ApiResponse::Headers headers{
        {"ETag", f->etag},
        {"Cache-Control", f->immutable ? "public, max-age=31536000, immutable" : "no-cache"}};
    if (f->content_type.starts_with("text/html"))
        headers.emplace_back("Content-Security-Policy",
                             "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                             "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
                             "frame-ancestors 'none'");
    if (request_header(r, "if-none-match") == f->etag) return {304, "", f->content_type, std::move(headers)};
    return {200, f->body, f->content_type, std::move(headers)};
}

std::optional<Console::SignedIn> Console::signed_in(const ApiRequest& r, bool operator_listener) {
    const auto id = cookie_value(r, cookie_name(operator_listener));
    if (id.empty()) return std::nullopt;
    auto s = sessions_.touch(id, common::unix_seconds_now());
    if (!s || s->operator_mode != operator_listener) return std::nullopt;
    if (!still_valid(*s)) {
        sessions_.close(id);
        return std::nullopt;
    }
    return SignedIn{std::move(*s), id};
}

// An account's session ends when the password it signed in with changed (or the account went),
// or the access key it used was deleted.
bool Console::still_valid(const auth::Session& s) {
    if (s.operator_mode) return true;
    if (s.credential.starts_with("key:")) {
        const auto dir = store_.directory();
        const auto it = dir->access_keys.find(s.credential.substr(4));
        return it != dir->access_keys.end() && it->second.account == s.account;
    }
    return !s.credential.empty() && store_.console_password_hash(s.account) == s.credential;
}

std::string Console::cookie(const ApiRequest& r, bool operator_listener, const std::string& id,
                            std::chrono::seconds max_age) const {
    return std::string(cookie_name(operator_listener)) + "=" + id +
           "; Path=/console; Max-Age=" + std::to_string(max_age.count()) + "; HttpOnly; SameSite=Strict" +
           (r.secure ? "; Secure" : "");
}

ApiResponse Console::session_route(const ApiRequest& r, bool operator_listener) {
    if (r.method == "POST") return sign_in(r, operator_listener);
    const auto who = signed_in(r, operator_listener);
    if (r.method == "GET") {
        if (!who) // which sign-in form the page shows
            return {401, json{{"error", {{"code", "SignInRequired"}, {"message", "sign in first"}}},
                              {"mode", operator_listener ? "operator" : "account"}}
                             .dump()};
        return {200, session_json(who->session, utc_offset_minutes_).dump()};
    }
    if (r.method == "DELETE") {
        if (!who) return error(401, "SignInRequired", "sign in first");
        if (!auth::SessionTable::csrf_matches(who->session, request_header(r, "x-csrf-token")) ||
            !same_origin(r))
            return error(403, "CsrfRefused", "missing or wrong X-CSRF-Token");
        sessions_.close(who->id);
        return {200,
                json{{"signed_out", true}}.dump(),
                "application/json",
                {{"Set-Cookie", cookie(r, operator_listener, "", std::chrono::seconds(0))}}};
    }
    return error(405, "MethodNotAllowed", "GET, POST or DELETE", {{"Allow", "GET, POST, DELETE"}});
}

ApiResponse Console::sign_in(const ApiRequest& r, bool operator_listener) {
    if (!same_origin(r)) return error(403, "CsrfRefused", "a sign-in from another site");
    const auto body = json::parse(r.body, nullptr, false);
    if (!body.is_object()) return error(400, "InvalidBody", "the request body must be a JSON object");
    auto text = [&](const char* key) {
        const auto it = body.find(key);
        return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const auto account = operator_listener ? std::string() : text("account");
    const auto key_id = text("access_key_id");
    const auto limited_name = key_id.empty() ? account : "key:" + key_id;
    const auto now = FailureLimiter::Clock::now();
    {
        std::lock_guard lock(limiter_mutex_);
        if (ip_failures_.blocked(r.peer_ip, now) ||
            (!limited_name.empty() && account_failures_.blocked(limited_name, now))) {
            common::security_event(
                {"console_throttled", r.peer_ip, account.empty() ? "-" : account, "sign-in"});
            return error(429, "TooManyRequests", "too many failed sign-ins; retry later",
                         {{"Retry-After", std::to_string(options_.sign_in_window.count())}});
        }
    }
    std::string signed_account, credential;
    if (operator_listener) {
        const auto token = text("token");
        // The admin token, checked (and its failures counted) as a bearer token would be.
        if (!token.empty() && admin_.auth().check("Bearer " + token, r.peer_ip, "/console/api/session") ==
                                  AdminAuth::Verdict::allowed)
            credential = "token";
    } else if (!key_id.empty()) {
        const auto dir = store_.directory();
        const auto it = dir->access_keys.find(key_id);
        const auto secret = text("access_key_secret");
        if (it != dir->access_keys.end() && secret.size() == it->second.secret.size() &&
            CRYPTO_memcmp(secret.data(), it->second.secret.data(), secret.size()) == 0) {
            signed_account = it->second.account;
            credential = "key:" + key_id;
        }
    } else if (!account.empty()) {
        const auto hash = store_.console_password_hash(account);
        // Without a password the dummy is checked: an unknown account takes as long as a wrong password.
        const bool good = common::verify_password(text("password"), hash.empty() ? dummy_hash_ : hash);
        if (good && !hash.empty()) {
            signed_account = account;
            credential = hash;
        }
    }
    if (credential.empty()) {
        {
            std::lock_guard lock(limiter_mutex_);
            ip_failures_.record_failure(r.peer_ip, now);
            if (!limited_name.empty()) account_failures_.record_failure(limited_name, now);
        }
        common::security_event({"console_sign_in_failed", r.peer_ip, account.empty() ? "-" : account,
                                key_id.empty() ? "" : "key"});
        return error(401, "SignInFailed",
                     operator_listener ? "wrong admin token" : "wrong account name, password or access key");
    }
    const auto now_s = common::unix_seconds_now();
    const auto id = sessions_.open(signed_account, operator_listener, now_s, credential);
    const auto s = sessions_.touch(id, now_s);
    spdlog::info("console.sign_in account={} operator={} ip={}",
                 signed_account.empty() ? "-" : signed_account, operator_listener, r.peer_ip);
    return {200,
            session_json(*s, utc_offset_minutes_).dump(),
            "application/json",
            {{"Set-Cookie", cookie(r, operator_listener, id, options_.session_lifetime)}}};
}

ApiResponse Console::call(const ApiRequest& r, const SignedIn& who, const std::string& rest,
                          bool operator_listener) {
    if (!auth::SessionTable::csrf_matches(who.session, request_header(r, "x-csrf-token")) || !same_origin(r))
        return error(403, "CsrfRefused", "missing or wrong X-CSRF-Token");
    if (operator_listener) {
        // /console/api/v1/... is the admin API's /v1/..., the session standing for the token.
        if (!rest.starts_with("v1/")) return error(404, "NotFound", "no such endpoint");
        ApiRequest inner = r;
        inner.target = "/" + std::string(request_path(r.target).substr(kApi.size()));
        if (const auto q = r.target.find('?'); q != std::string::npos) inner.target += r.target.substr(q);
        inner.authorization.clear();
        inner.operator_session = true;
        return admin_.handle(inner);
    }
    // The password policy, for the console to show as one types (the store checks it again).
    if (rest == "password-policy") {
        const auto body = json::parse(r.body, nullptr, false);
        if (!body.is_object() || !body.contains("password") || !body["password"].is_string())
            return error(400, "InvalidBody", "give {\"password\": \"...\"}");
        const auto problem = store::check_password_policy(body["password"].get<std::string>(), "");
        return {200, json{{"ok", !problem}, {"reason", problem.value_or("")}}.dump()};
    }
    // /console/api/call/{Action}: one OpenAPI action as the session's account.
    if (!rest.starts_with("call/") || rest.size() == 5) return error(404, "NotFound", "no such endpoint");
    if (r.method != "POST")
        return error(405, "MethodNotAllowed", "actions are called with POST", {{"Allow", "POST"}});
    if (!open_api_) return error(503, "Unavailable", "the OpenAPI is not running");
    const auto body = r.body.empty() ? json::object() : json::parse(r.body, nullptr, false);
    if (!body.is_object()) return error(400, "InvalidBody", "the request body must be a JSON object");
    std::map<std::string, std::string> params;
    try {
        params = action_params(body);
    } catch (const std::invalid_argument& e) {
        return error(400, "InvalidParameter",
                     std::string("the parameter ") + e.what() + " must be a string, a number or true/false");
    }
    const auto reply =
        open_api_->call_as(who.session.account, rest.substr(5), params,
                           common::ClientOrigin::network(r.peer_ip), common::unix_seconds_now());
    return {reply.status, reply.body};
}

} // namespace mailpush::api
