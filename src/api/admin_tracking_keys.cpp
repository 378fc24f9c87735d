// /v1/tracking/keys: the keys that sign tracking tokens (docs/tracking.md). Operator only; the
// secrets are never returned. A rotation goes on the security event stream.
#include "admin_router.hpp"
#include "admin_util.hpp"

#include "mailpush/store/store.hpp"

namespace mailpush::api::detail {
namespace {

json to_json(const store::TrackingKeyRecord& k) {
    return {{"id", k.id}, {"created_s", k.created_s}, {"retired_s", k.retired_s}};
}

} // namespace

std::span<const Route> tracking_key_routes() {
    static const Route routes[] = {
        {"GET", "/v1/tracking/keys", Access::admin,
         [](const AdminServices& s, const RouteCall&) {
             return ok(list_json(s.store.list_tracking_keys(), [](const auto& k) { return to_json(k); }));
         }},
        {"POST", "/v1/tracking/keys/rotate", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             const auto key = s.store.rotate_tracking_key(unix_now());
             admin_change_event(c, "tracking_key_rotated", "", "key=" + std::to_string(key.id));
             return ok(to_json(key), 201);
         }},
    };
    return routes;
}

} // namespace mailpush::api::detail
