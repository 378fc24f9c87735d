// /v1/access-keys: the OpenAPI's AccessKeyId/AccessKeySecret pairs of an account.
#include "admin_router.hpp"
#include "admin_util.hpp"

#include "mailpush/store/store.hpp"

namespace mailpush::api::detail {

std::span<const Route> access_key_routes() {
    static const Route routes[] = {
        {"GET", "/v1/access-keys", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(list_json(s.store.list_access_keys(c.query_or_empty("account")), [](const auto& k) {
                 return json{{"AccessKeyId", k.id}, {"account", k.account}, {"created_at", k.created_at}};
             }));
         }},
        {"POST", "/v1/access-keys", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             const auto account = field(c.body, "account");
             const auto key = s.store.create_access_key(account);
             admin_change_event(c, "access_key_created", account, "key=" + key.id);
             return ok({{"AccessKeyId", key.id}, {"AccessKeySecret", key.secret}}, 201);
         }},
        {"DELETE", "/v1/access-keys/{id}", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             std::string account;
             for (const auto& k : s.store.list_access_keys(""))
                 if (k.id == c.param("id")) account = k.account;
             s.store.remove_access_key(c.param("id"));
             admin_change_event(c, "access_key_deleted", account, "key=" + c.param("id"));
             return ok(deleted(c.param("id")));
         }},
    };
    return routes;
}

} // namespace mailpush::api::detail
