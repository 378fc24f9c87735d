// The web console (docs/console.md): its static files under /console/ and its JSON API under
// /console/api/. On a public listener an account signs in (account name and console password, or
// an access key) and calls the OpenAPI's actions as itself; on the operator listener the operator
// signs in with the admin token and calls the admin API's routes. Sessions live on the server
// (auth::SessionTable); the cookie is HttpOnly and SameSite=Strict (Secure over TLS), every call
// carries the session's CSRF token, and sign-ins are throttled per client IP and per account.
// Blocking (password checks, SQLite): run on a worker thread. Handles untrusted input.
#pragma once

#include "mailpush/api/admin_api.hpp"
#include "mailpush/api/console_options.hpp"
#include "mailpush/api/failure_limiter.hpp"
#include "mailpush/auth/session_table.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace mailpush::store {
class Store;
}
namespace mailpush::openapi {
class OpenApi;
}

namespace mailpush::api {

// The built console: every file of one directory, read once at start.
class ConsoleAssets {
public:
    struct File {
        std::string body;
        std::string content_type;
        std::string etag;
        bool immutable = false; // its name carries its content hash
    };
    // Reads `dir` (files directly in it and one level below); empty when it does not exist.
    static ConsoleAssets load(const std::string& dir);
    const File* find(const std::string& name) const; // "index.html", "assets/app-HASH.js"
    bool empty() const { return files_.empty(); }
    std::size_t size() const { return files_.size(); }

private:
    std::map<std::string, File> files_;
};

class Console {
public:
    Console(const ConsoleOptions& options, ConsoleAssets assets, store::Store& store, AdminApi& admin,
            openapi::OpenApi* open_api, int utc_offset_minutes);
    ~Console();

    // Any request under /console. `operator_listener`: the admin listener's (operator mode).
    // Never throws.
    ApiResponse answer(const ApiRequest& request, bool operator_listener);

    auth::SessionTable& sessions() { return sessions_; }

private:
    struct SignedIn {
        auth::Session session;
        std::string id;
    };
    ApiResponse file(const ApiRequest& r, const std::string& name) const;
    ApiResponse session_route(const ApiRequest& r, bool operator_listener);
    ApiResponse sign_in(const ApiRequest& r, bool operator_listener);
    ApiResponse call(const ApiRequest& r, const SignedIn& who, const std::string& rest,
                     bool operator_listener);
    // The request's session, if it is valid for this listener and its credential still holds.
    std::optional<SignedIn> signed_in(const ApiRequest& r, bool operator_listener);
    bool still_valid(const auth::Session& s);
    std::string cookie(const ApiRequest& r, bool operator_listener, const std::string& id,
                       std::chrono::seconds max_age) const;

    ConsoleOptions options_;
    ConsoleAssets assets_;
    store::Store& store_;
    AdminApi& admin_;
    openapi::OpenApi* open_api_;
    int utc_offset_minutes_;
    auth::SessionTable sessions_;
    std::mutex limiter_mutex_;
    FailureLimiter ip_failures_;
    FailureLimiter account_failures_;
    std::string dummy_hash_; // verified against when the account has no password: same time
};

} // namespace mailpush::api
