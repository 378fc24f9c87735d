// The HTTP listeners' decisions before any work: the largest body each route accepts (one
// table), the per-client connection count, and the path a log line may show (the body's pace
// is BodyPace). Pure except PeerConnections, which is a locked counter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace mailpush::api {

struct ApiRequest;

enum class Audience {
    public_, // the OpenAPI and the reply-to confirmation page
    admin    // the admin API and /metrics
};

// The largest request body `path` (no query) accepts on a listener of `audience`.
std::size_t body_limit(Audience audience, std::string_view path);

// The path of a request target, in origin form ("/o/x?y" → "/o/x") or absolute form
// ("http://host/o/x?y" → "/o/x"): no scheme, user info, host, query or fragment.
std::string_view request_path(std::string_view target);
// The authority of an absolute-form target ("http://u@h:81/x" → "u@h:81"); "" in origin form.
std::string_view request_authority(std::string_view target);

// The value of the request's first header named `name` (any case), "" when absent.
std::string request_header(const ApiRequest& request, std::string_view name);

// A request target as a log line may show it: the path only, without a scheme, user info, host,
// query or fragment (the query of a reply-to link holds its token).
std::string loggable_path(std::string_view target);

// Open connections per client address, capped. Thread-safe.
class PeerConnections {
public:
    explicit PeerConnections(unsigned max_per_peer)
        : max_(max_per_peer) {}
    bool try_add(const std::string& peer); // false (nothing counted) when `peer` is at the cap
    void remove(const std::string& peer);

private:
    unsigned max_;
    std::mutex mutex_;
    std::map<std::string, unsigned> open_;
};

} // namespace mailpush::api
