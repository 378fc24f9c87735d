// The open pixel and the click redirect on the public listener (docs/tracking.md, "Endpoints"):
// GET /o/{token} → a 1×1 GIF, GET /c/{token} → 302 to the URL stored at delivery for that link.
// A token that does not verify with a live key, or names a link never stored, gets a plain 404
// and records nothing. Hits are handed to the TrackingRecorder, which writes them in batches.
// Handles untrusted input: the whole request.
#pragma once

#include "mailpush/api/admin_api.hpp"
#include "mailpush/tracking/classify.hpp"
#include "mailpush/tracking/token.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::delivery {
class TrackingRecorder;
}
namespace mailpush::store {
class Store;
struct TrackingKeyRecord;
} // namespace mailpush::store

namespace mailpush::api {

// The 43 bytes of a transparent 1×1 GIF89a.
std::string_view tracking_pixel_gif();

// Whether `path` (no query) is one of the tracking endpoints' ("/o/…" or "/c/…").
bool is_tracking_path(std::string_view path);

// What a request to a tracking endpoint asks for: nullopt when it asks for nothing that exists
// (a malformed or forged token, a pixel token on /c/ or a link token on /o/).
struct TrackingAsk {
    tracking::HitKind kind = tracking::HitKind::open;
    tracking::TokenClaim claim;
};
std::optional<TrackingAsk> read_tracking_ask(std::string_view path,
                                             const std::vector<tracking::TrackingKey>& keys);

// The keys that verify tokens at `now_s`: every key the store holds that is not past `retention`
// since its retirement.
std::vector<tracking::TrackingKey> verifying_keys(const std::vector<store::TrackingKeyRecord>& records,
                                                  std::int64_t now_s, std::chrono::seconds retention);

// The host a request names (the authority of an absolute-form target, else its Host header):
// lower case, without the port, IPv6 brackets or a trailing dot. "" when none.
std::string request_host(const ApiRequest& request);

// The replies, pure. `location` is the stored URL; bytes a header must not carry raw (controls,
// spaces, non-ASCII) are percent-encoded.
ApiResponse pixel_reply();
ApiResponse redirect_reply(std::string_view location);
ApiResponse tracking_not_found();
ApiResponse tracking_method_not_allowed();

class TrackingEndpoints {
public:
    using Clock = std::function<std::int64_t()>; // milliseconds since the epoch
    TrackingEndpoints(const store::Store& store, delivery::TrackingRecorder& recorder,
                      std::chrono::seconds key_retention, Clock now_ms);

    // The service's own names (before the listeners start): the public URL's host, `hostname`
    // ([server] hostname) and the loopback names are accepted for every redirect, beside the
    // host each message's links were mailed on.
    void set_service_names(std::string_view public_url, std::string_view hostname);

    // The reply if it needs no database read (every pixel, every refusal, a click whose link is
    // in the recorder's cache): answered on the event loop. nullopt: call answer() on a pool.
    std::optional<ApiResponse> answer_now(const ApiRequest& request) const;
    // The reply, reading the link's URL from the delivery log if it is not cached.
    ApiResponse answer(const ApiRequest& request) const;

private:
    enum class Mode { without_reads, with_reads };
    std::optional<ApiResponse> respond(const ApiRequest& request, Mode mode) const;

    const store::Store& store_;
    delivery::TrackingRecorder& recorder_;
    const std::chrono::seconds key_retention_;
    const Clock now_ms_;
    std::vector<std::string> service_hosts_;
};

} // namespace mailpush::api
