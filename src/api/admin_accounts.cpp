// /v1/accounts: accounts, their status, quotas and usage.
#include "admin_router.hpp"
#include "admin_util.hpp"

#include "mailpush/store/store.hpp"

namespace mailpush::api::detail {
namespace {

json to_json(const store::Account& a) {
    return {{"name", a.name},
            {"status", a.status},
            {"region", a.region},
            {"daily_quota", a.daily_quota},
            {"monthly_quota", a.monthly_quota},
            {"created_at", a.created_at},
            {"events_enabled", a.events_enabled}};
}

// PATCH: the status, the quotas, event notifications, or any of them.
ApiResponse update_account(const AdminServices& s, const RouteCall& c) {
    const auto& name = c.param("name");
    const auto status = field(c.body, "status", false);
    const auto daily = int_field(c.body, "daily_quota"), monthly = int_field(c.body, "monthly_quota");
    const bool events = c.body.is_object() && c.body.contains("events_enabled");
    if (status.empty() && !daily && !monthly && !events)
        throw HttpError{400, "MissingParameter", "give status, daily_quota, monthly_quota or events_enabled"};
    const bool events_on = events && bool_field(c.body, "events_enabled"); // checked before any change
    if (daily || monthly) s.store.set_account_quota(name, daily, monthly);
    if (!status.empty()) s.store.set_account_status(name, status);
    if (events) s.store.set_events_enabled(name, events_on);
    return ok(to_json(s.store.get_account(name)));
}

ApiResponse account_usage(const AdminServices& s, const RouteCall& c) {
    const auto a = s.store.get_account(c.param("name"));
    const auto u = s.store.usage(c.param("name"), unix_now());
    return ok({{"account", a.name},
               {"day", u.day},
               {"month", u.month},
               {"day_used", u.day_used},
               {"month_used", u.month_used},
               {"daily_quota", a.daily_quota},
               {"monthly_quota", a.monthly_quota}});
}

} // namespace

std::span<const Route> account_routes() {
    static const Route routes[] = {
        {"GET", "/v1/accounts", Access::admin,
         [](const AdminServices& s, const RouteCall&) {
             return ok(list_json(s.store.list_accounts(), [](const auto& a) { return to_json(a); }));
         }},
        {"POST", "/v1/accounts", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(to_json(s.store.add_account(field(c.body, "name"))), 201);
         }},
        {"GET", "/v1/accounts/{name}", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(to_json(s.store.get_account(c.param("name"))));
         }},
        {"PATCH", "/v1/accounts/{name}", Access::admin, update_account},
        {"DELETE", "/v1/accounts/{name}", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             s.store.remove_account(c.param("name"));
             return ok(deleted(c.param("name")));
         }},
        {"GET", "/v1/accounts/{name}/usage", Access::admin, account_usage},
        {"PUT", "/v1/accounts/{name}/console-password", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             s.store.set_console_password(c.param("name"), field(c.body, "password"));
             admin_change_event(c, "password_changed", c.param("name"), "console password");
             return ok({{"account", c.param("name")}, {"console_password", true}});
         }},
    };
    return routes;
}

} // namespace mailpush::api::detail
