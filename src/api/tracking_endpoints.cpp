#include "mailpush/api/tracking_endpoints.hpp"

#include "mailpush/api/http_limits.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/delivery/tracking_recorder.hpp"
#include "mailpush/openapi/public_names.hpp"
#include "mailpush/store/store.hpp"
#include "mailpush/store/tracking_keys.hpp"

#include <fmt/format.h>

namespace mailpush::api {

std::string_view tracking_pixel_gif() {
    static constexpr unsigned char kGif[] = {'G',  'I',  'F',  '8',  '9',  'a',  0x01, 0x00, 0x01, 0x00, 0x80,
                                             0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04,
                                             0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01,
                                             0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};
    static_assert(sizeof(kGif) == 43);
    return {reinterpret_cast<const char*>(kGif), sizeof(kGif)};
}

namespace {
constexpr std::string_view kOpenPrefix = "/o/", kClickPrefix = "/c/";
} // namespace

bool is_tracking_path(std::string_view path) {
    return path.starts_with(kOpenPrefix) || path.starts_with(kClickPrefix);
}

std::optional<TrackingAsk> read_tracking_ask(std::string_view path,
                                             const std::vector<tracking::TrackingKey>& keys) {
    const bool open = path.starts_with(kOpenPrefix);
    if (!open && !path.starts_with(kClickPrefix)) return std::nullopt;
    const auto claim = tracking::read_token(keys, path.substr(kOpenPrefix.size()));
    if (!claim || (claim->link == 0) != open) return std::nullopt;
    return TrackingAsk{open ? tracking::HitKind::open : tracking::HitKind::click, *claim};
}

std::vector<tracking::TrackingKey> verifying_keys(const std::vector<store::TrackingKeyRecord>& records,
                                                  std::int64_t now_s, std::chrono::seconds retention) {
    std::vector<tracking::TrackingKey> keys;
    for (const auto& r : records)
        if (!store::tracking_key_expired(r, now_s, retention)) keys.push_back({r.id, r.secret});
    return keys;
}

namespace {
// A reply no cache keeps: every fetch of the pixel is an open.
void never_cached(ApiResponse& reply) {
    reply.headers = {{"Cache-Control", "no-store, no-cache, must-revalidate, max-age=0, private"},
                     {"Pragma", "no-cache"},
                     {"Expires", "Thu, 01 Jan 1970 00:00:00 GMT"}};
}

// RFC 3986's reserved and unreserved characters and '%' pass; anything else is percent-encoded,
// as a browser does when it follows such a link.
std::string header_safe_url(std::string_view url) {
    std::string out;
    out.reserve(url.size());
    for (const char ch : url) {
        const auto c = static_cast<unsigned char>(ch);
        if (c > 0x20 && c < 0x7f && c != '"' && c != '<' && c != '>' && c != '\\' && c != '^' && c != '`' &&
            c != '{' && c != '|' && c != '}')
            out.push_back(ch);
        else
            out += fmt::format("%{:02X}", c);
    }
    return out;
}
} // namespace

std::string request_host(const ApiRequest& request) {
    if (auto authority = request_authority(request.target); !authority.empty()) {
        if (const auto at = authority.rfind('@'); at != std::string_view::npos)
            authority.remove_prefix(at + 1);
        return openapi::host_without_port(authority);
    }
    return openapi::host_without_port(request_header(request, "host"));
}

ApiResponse pixel_reply() {
    ApiResponse reply{200, std::string(tracking_pixel_gif()), "image/gif", {}};
    never_cached(reply);
    return reply;
}

ApiResponse redirect_reply(std::string_view location) {
    ApiResponse reply{302, "", "text/plain; charset=utf-8", {}};
    never_cached(reply);
    reply.headers.emplace_back("Location", header_safe_url(location));
    return reply;
}

ApiResponse tracking_not_found() {
    return {404, "Link not valid\n", "text/plain; charset=utf-8", {}};
}

ApiResponse tracking_method_not_allowed() {
    return {405, "Only GET and HEAD\n", "text/plain; charset=utf-8", {{"Allow", "GET, HEAD"}}};
}

TrackingEndpoints::TrackingEndpoints(const store::Store& store, delivery::TrackingRecorder& recorder,
                                     std::chrono::seconds key_retention, Clock now_ms)
    : store_(store)
    , recorder_(recorder)
    , key_retention_(key_retention)
    , now_ms_(std::move(now_ms)) {}

void TrackingEndpoints::set_service_names(std::string_view public_url, std::string_view hostname) {
    service_hosts_ = openapi::default_public_names(hostname, public_url); // as the OpenAPI's Host check
}

std::optional<ApiResponse> TrackingEndpoints::answer_now(const ApiRequest& request) const {
    return respond(request, Mode::without_reads);
}

ApiResponse TrackingEndpoints::answer(const ApiRequest& request) const {
    return *respond(request, Mode::with_reads);
}

// A HEAD gets the same reply (without its body, by the server) and records nothing: it neither
// shows the image nor follows the link; link checkers send them.
std::optional<ApiResponse> TrackingEndpoints::respond(const ApiRequest& request, Mode mode) const {
    const bool get = request.method == "GET";
    if (!get && request.method != "HEAD") return tracking_method_not_allowed();
    const auto path = request_path(request.target);
    const auto now = now_ms_();
    const auto ask = read_tracking_ask(
        path, verifying_keys(store_.directory()->tracking_keys, now / 1000, key_retention_));
    if (!ask) return tracking_not_found();
    std::optional<delivery::TrackingRecorder::LinkTarget> target;
    if (ask->kind == tracking::HitKind::click) {
        target = recorder_.cached_link_target(ask->claim.envid, ask->claim.link);
        if (!target && mode == Mode::without_reads) return std::nullopt;
        if (!target) target = recorder_.link_target(ask->claim.envid, ask->claim.link);
        if (!target) return tracking_not_found();
        // A redirect answers only on the host its message was mailed with or the service's own
        // names: another tenant's tracking domain must not lend its name to this tenant's links.
        if (!target->host.empty()) {
            const auto host = request_host(request);
            if (host.empty() || (host != target->host && !openapi::is_public_name(host, service_hosts_)))
                return tracking_not_found();
        }
    }
    if (get)
        recorder_.record(
            {ask->claim, ask->kind, request_header(request, "user-agent"), request.peer_ip, now});
    return target ? redirect_reply(target->url) : pixel_reply();
}

} // namespace mailpush::api
