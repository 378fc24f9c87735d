// Request authentication (signature, timestamp, nonce) and dispatch of the OpenAPI.
#include "mailpush/openapi/openapi.hpp"

#include "actions.hpp"

#include "mailpush/common/calendar.hpp"
#include "mailpush/common/hex.hpp"
#include "mailpush/common/metrics.hpp"
#include "mailpush/common/random.hpp"
#include "mailpush/common/security_log.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/common/url.hpp"
#include "mailpush/openapi/public_names.hpp"
#include "mailpush/openapi/send_service.hpp"
#include "mailpush/store/store.hpp"

#include <spdlog/spdlog.h>

namespace mailpush::openapi {
namespace {
constexpr const char* kVersion = "2015-11-23";

[[noreturn]] void fail(unsigned status, const std::string& code, const std::string& message) {
    throw ApiError{status, code, message};
}

std::string header(const SignedRequest& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
        if (common::iequals(k, name)) return v;
    return {};
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

std::string new_request_id() {
    std::string id = common::to_hex(common::random_bytes(16), common::HexCase::upper);
    for (const std::size_t dash : {8u, 13u, 18u, 23u}) // 8-4-4-4-12, like a UUID
        id.insert(dash, 1, '-');
    return id;
}

unsigned status_for(store::ErrorKind k) {
    return k == store::ErrorKind::not_found ? 404 : 400;
}
const char* code_for(store::ErrorKind k) {
    switch (k) {
    case store::ErrorKind::invalid:
        return "InvalidParameter";
    case store::ErrorKind::not_found:
        return "InvalidParameter.NotFound";
    case store::ErrorKind::conflict:
        return "InvalidParameter.AlreadyExists";
    case store::ErrorKind::limit:
        return "LimitExceeded";
    }
    return "InternalError";
}
} // namespace

OpenApi::OpenApi(store::Store& store, OpenApiOptions options, OpenApiBackends backends)
    : store_(store)
    , options_(std::move(options))
    , backends_(std::move(backends))
    , nonces_(2 * options_.max_clock_skew.count(), options_.max_nonces_per_key)
    , blocking_(options_.max_blocking_per_account)
    , send_(std::make_unique<SendService>(store_, options_, backends_)) {
    update_public_names();
}

void OpenApi::set_public_url(std::string url) {
    options_.public_url = std::move(url);
    update_public_names();
}

void OpenApi::update_public_names() {
    public_names_ = options_.public_names.empty()
                        ? default_public_names(options_.hostname, options_.public_url)
                        : options_.public_names;
}

OpenApi::~OpenApi() = default;

OpenApi::Caller OpenApi::authenticate(const SignedRequest& req, const ParamMap& params,
                                      const common::ClientOrigin& origin, std::int64_t now_s) {
    const auto dir = store_.directory();
    const std::string authorization = header(req, "authorization");
    std::string key_id, timestamp, nonce;
    Caller caller;
    // Security events name the key id (an identifier, not a secret), never the signature.
    auto report = [&](std::string_view kind, const std::string& account, const std::string& detail) {
        common::security_event({kind, origin.ip(), account, detail});
    };
    auto unknown_key = [&] {
        report("unknown_access_key", "", "key=" + key_id);
        return ApiError{404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."};
    };
    auto param = [&](const char* name) {
        const auto it = params.find(name);
        return it == params.end() ? std::string() : it->second;
    };
    if (common::istarts_with(authorization, "ACS3-")) {
        const auto auth = parse_acs3_authorization(authorization);
        if (!auth) fail(400, "IncompleteSignature", "The Authorization header is malformed.");
        if (auth->algorithm != "ACS3-HMAC-SHA256")
            fail(400, "InvalidSignatureMethod",
                 "Only ACS3-HMAC-SHA256 and HMAC-SHA1 signatures are supported.");
        auto is_signed = [&](const char* name) {
            return std::find(auth->signed_headers.begin(), auth->signed_headers.end(), name) !=
                   auth->signed_headers.end();
        };
        for (const char* must : {"host", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"})
            if (!is_signed(must))
                fail(400, "IncompleteSignature",
                     std::string("The signature must cover the header ") + must + ".");
        // The action and version come from signed headers, or else from the parameters (the
        // query is signed, the body through its hash).
        for (const char* name : {"x-acs-action", "x-acs-version"})
            if (!header(req, name).empty() && !is_signed(name))
                fail(400, "IncompleteSignature",
                     std::string("The signature must cover the header ") + name + ".");
        caller.action = header(req, "x-acs-action");
        caller.version = header(req, "x-acs-version");
        if (caller.action.empty()) caller.action = param("Action");
        if (caller.version.empty()) caller.version = param("Version");
        key_id = auth->key_id;
        const auto key = dir->access_keys.find(key_id);
        if (key == dir->access_keys.end()) throw unknown_key();
        const std::string payload_hash = common::to_lower(header(req, "x-acs-content-sha256"));
        if (!constant_time_equals(payload_hash, sha256_hex(req.body))) {
            report("bad_signature", key->second.account, "key=" + key_id + " body hash mismatch");
            fail(400, "SignatureDoesNotMatch", "x-acs-content-sha256 does not match the request body.");
        }
        const std::string expected =
            acs3_signature(req, auth->signed_headers, payload_hash, key->second.secret);
        if (!constant_time_equals(common::to_lower(auth->signature), expected)) {
            report("bad_signature", key->second.account, "key=" + key_id);
            fail(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.");
        }
        // Checked once the signature holds, so the Host is the one the key's owner signed: a
        // request signed for another endpoint is not replayed here.
        if (!is_public_name(header(req, "host"), public_names_)) {
            report("invalid_host", key->second.account,
                   "key=" + key_id + " host=" + host_without_port(header(req, "host")));
            fail(400, "InvalidHost",
                 "The signed Host header is not a name of this service; sign the request for one of: " +
                     joined(public_names_) + ".");
        }
        timestamp = header(req, "x-acs-date");
        nonce = header(req, "x-acs-signature-nonce");
    } else if (params.count("Signature")) {
        auto get = [&](const char* name) {
            const auto it = params.find(name);
            if (it == params.end() || it->second.empty())
                fail(400, "MissingParameter",
                     std::string("The parameter ") + name + " is required for signing.");
            return it->second;
        };
        if (get("SignatureMethod") != "HMAC-SHA1")
            fail(400, "InvalidSignatureMethod",
                 "Only ACS3-HMAC-SHA256 and HMAC-SHA1 signatures are supported.");
        if (get("SignatureVersion") != "1.0")
            fail(400, "InvalidSignatureVersion", "SignatureVersion must be 1.0.");
        key_id = get("AccessKeyId");
        const auto key = dir->access_keys.find(key_id);
        if (key == dir->access_keys.end()) throw unknown_key();
        Params signed_params;
        for (const auto& [k, v] : params)
            if (k != "Signature") signed_params.emplace_back(k, v);
        if (!constant_time_equals(params.at("Signature"),
                                  rpc_signature(req.method, signed_params, key->second.secret))) {
            report("bad_signature", key->second.account, "key=" + key_id);
            fail(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.");
        }
        timestamp = get("Timestamp");
        nonce = get("SignatureNonce");
        caller.action = param("Action"); // signed parameters; the x-acs-* headers are not signed here
        caller.version = param("Version");
    } else {
        fail(400, "IncompleteSignature",
             "The request is not signed (no Authorization header, no Signature).");
    }
    const auto when = parse_utc_timestamp(timestamp);
    if (!when)
        fail(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.");
    const std::int64_t skew_s = options_.max_clock_skew.count();
    if (*when < now_s - skew_s || *when > now_s + skew_s)
        fail(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.");
    if (nonce.empty() || nonce.size() > 128) fail(400, "MissingParameter", "A signature nonce is required.");
    caller.account = dir->access_keys.at(key_id).account;
    const std::string scoped_nonce = key_id + '\n' + nonce;
    auto replayed = [&] {
        report("nonce_replay", caller.account, "key=" + key_id);
        return ApiError{400, "SignatureNonceUsed", "Specified signature nonce was used already."};
    };
    switch (nonces_.use(key_id, nonce, now_s)) {
    case NonceVerdict::fresh:
        // Also on disk, so a request captured before a restart cannot be replayed after it.
        if (!store_.remember_nonce(scoped_nonce, now_s)) throw replayed();
        break;
    case NonceVerdict::replayed:
        throw replayed();
    case NonceVerdict::full:
        // This key alone is at its bound; other keys are served. Never accepted unrecorded.
        report("nonce_cache_full", caller.account, "key=" + key_id);
        fail(400, "Throttling.User",
             "Too many requests with this access key within the timestamp window; retry later.");
    }
    return caller;
}

namespace {
// `mailpush_api_requests_total{action,code}`: known actions only (an unknown name is "other"),
// code "Success" or the error code, so the series stay few.
void count_request(const std::string& action, const std::string& code) {
    const std::string name = detail::find_action(action) ? action : "other";
    metrics::registry()
        .counter("mailpush_api_requests_total", "OpenAPI requests by action and result code",
                 {{"action", name}, {"code", code}})
        .add();
}

std::string action_of(const SignedRequest& req) {
    std::string action = header(req, "x-acs-action");
    for (const auto& [k, v] : req.query)
        if (action.empty() && k == "Action") action = v;
    return action;
}
} // namespace

Reply OpenApi::handle(const SignedRequest& req, const common::ClientOrigin& origin, std::int64_t now_s) {
    std::string account; // known once the signature is checked
    return guarded(action_of(req), account, [&](const std::string& request_id) {
        ParamMap params;
        Params all = req.query;
        if (!req.body.empty()) {
            const auto form = common::parse_form(req.body);
            all.insert(all.end(), form.begin(), form.end());
        }
        for (auto& [k, v] : all) {
            // Everything is text the store keeps and replies repeat: it must be UTF-8.
            if (!common::valid_utf8(k) || !common::valid_utf8(v))
                fail(400, "InvalidParameter", "Parameters must be UTF-8 text.");
            if (!params.emplace(k, v).second)
                fail(400, "InvalidParameter", "The parameter " + k + " appears twice.");
        }
        const Caller caller = authenticate(req, params, origin, now_s);
        account = caller.account;
        if (caller.version != kVersion)
            fail(400, "InvalidVersion", "Specified parameter Version is not valid (only 2015-11-23).");
        // Before any action, management ones included: a key used from a refused address can
        // neither send nor change the list that refuses it.
        if (!origin.trusted() && !store_.directory()->ip_allowed(caller.account, origin.ip())) {
            common::security_event({"ip_protection_refused", origin.ip(), caller.account, caller.action});
            fail(403, "Forbidden.IpProtection",
                 "IP protection: " + origin.ip() + " is not in the account's allowed IPs");
        }
        return dispatch(caller.action, caller.account, params, request_id, origin, now_s);
    });
}

Reply OpenApi::call_as(const std::string& account, const std::string& action, const ParamMap& params,
                       const common::ClientOrigin& origin, std::int64_t now_s) {
    return guarded(action, account, [&](const std::string& request_id) {
        for (const auto& [k, v] : params)
            if (!common::valid_utf8(k) || !common::valid_utf8(v))
                fail(400, "InvalidParameter", "Parameters must be UTF-8 text.");
        return dispatch(action, account, params, request_id, origin, now_s);
    });
}

void OpenApi::count_monitor(const std::string& account, store::MonitorItem item) {
    if (!account.empty()) store_.monitor().add(account, item, common::unix_ms_now());
}

Reply OpenApi::guarded(const std::string& action, const std::string& account,
                       const std::function<Reply(const std::string&)>& run) {
    const std::string request_id = new_request_id();
    nlohmann::json error;
    unsigned status = 400;
    try {
        auto reply = run(request_id);
        count_request(action, "Success");
        if (const auto* spec = detail::find_action(action); spec && spec->sends)
            count_monitor(account, store::MonitorItem::api_success);
        return reply;
    } catch (const ApiError& e) {
        status = e.status;
        error = {{"Code", e.code}, {"Message", e.message}};
        if (e.monitor) count_monitor(account, *e.monitor);
    } catch (const store::StoreError& e) {
        status = status_for(e.kind());
        error = {{"Code", code_for(e.kind())}, {"Message", e.what()}};
    } catch (const std::exception& e) {
        spdlog::error("openapi.error request_id={} error=\"{}\"", request_id, e.what());
        status = 500;
        error = {{"Code", "InternalError"},
                 {"Message", "The request processing has failed due to some unknown error."}};
    }
    count_request(action, error.value("Code", "InternalError"));
    error["RequestId"] = request_id;
    error["HostId"] = options_.hostname;
    error["Recommend"] = "";
    return {status, error.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

Reply OpenApi::dispatch(const std::string& action_name, const std::string& account, const ParamMap& params,
                        const std::string& request_id, const common::ClientOrigin& origin,
                        std::int64_t now_s) {
    const auto action = detail::find_action(action_name);
    if (!action)
        fail(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.");
    if (const auto unsupported = detail::unsupported_parameter(*action, params))
        fail(400, "InvalidParameter.Unsupported",
             "The parameter " + *unsupported + " is not supported by " + action_name +
                 " on this service; send the request without it (docs/openapi.md).");
    detail::ActionContext ctx{store_, *send_, options_, backends_, account, params, origin, now_s, blocking_};
    nlohmann::json body = action->run(ctx);
    body["RequestId"] = request_id;
    spdlog::info("openapi.call action={} account={} request_id={}", action_name, account, request_id);
    return {200, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

} // namespace mailpush::openapi
