// /v1/addresses: sender addresses, their SMTP password and reply-to address; and the link mailed
// to a reply-to address (/reply-to/confirm on the public listener, /v1/reply-to/confirm on the
// admin one; no admin token: the link's token is the credential). GET shows a button, POST confirms.
#include "admin_router.hpp"
#include "admin_util.hpp"
#include "html_page.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/common/url.hpp"
#include "mailpush/openapi/openapi.hpp"
#include "mailpush/openapi/send_service.hpp"
#include "mailpush/store/store.hpp"

#include <spdlog/spdlog.h>

namespace mailpush::api::detail {
namespace {

json to_json(const store::Address& a) {
    return {{"address", a.address},
            {"account", a.account},
            {"type", a.type},
            {"smtp_password", a.has_password},
            {"reply_to", a.reply_to},
            {"reply_to_status", a.reply_to_status},
            {"created_at", a.created_at},
            {"id", a.id}};
}

ApiResponse html(unsigned status, std::string body) {
    return {status, std::move(body), "text/html; charset=utf-8"};
}

std::string path_of(const ApiRequest& r) {
    return r.target.substr(0, r.target.find('?'));
}

std::string form_or_query_value(const ApiRequest& r, std::string_view name) {
    for (const auto& [key, value] : common::parse_form(r.body))
        if (key == name) return value;
    const auto q = r.target.find('?');
    if (q != std::string::npos)
        for (const auto& [key, value] : common::parse_form(std::string_view(r.target).substr(q + 1)))
            if (key == name) return value;
    return "";
}

bool wants_html(const ApiRequest& r) {
    for (const auto& [name, value] : r.headers)
        if (common::iequals(name, "accept") && value.find("text/html") != std::string::npos) return true;
    return false;
}

// GET: the page with the button. It does not look at the token's validity, let alone use it: a
// link scanner or a prefetcher that opens the link changes nothing.
ApiResponse confirmation_form(const ApiRequest& r) {
    const auto token = form_or_query_value(r, "token");
    if (token.empty()) return html(400, html_page("Not confirmed", "This link has no token."));
    const std::string form = "<form method=\"post\" action=\"" + html_escaped(path_of(r)) +
                             "\"><input type=\"hidden\" name=\"token\" value=\"" + html_escaped(token) +
                             "\"><button type=\"submit\">Confirm the reply-to address</button></form>";
    return html(200, html_page("Confirm the reply-to address",
                               "Someone asked to use your address as a reply-to address. Press the button to "
                               "confirm; ignore this page if it was not you.",
                               form));
}

// POST: confirms. A browser gets a page, a script JSON. Only the store's refusals are answered
// here; anything else is the router's 500.
ApiResponse confirm_reply_to_token(const AdminServices& s, const ApiRequest& r) {
    const bool browser = wants_html(r);
    try {
        const auto a = s.store.confirm_reply_to(form_or_query_value(r, "token"), unix_now());
        if (browser)
            return html(200, html_page("Confirmed",
                                       a.reply_to + " is now the reply-to address of " + a.address + "."));
        return ok({{"address", a.address}, {"reply_to", a.reply_to}, {"reply_to_status", a.reply_to_status}});
    } catch (const store::StoreError& e) {
        if (browser) return html(store_error_status(e), html_page("Not confirmed", e.what()));
        return store_error_response(e);
    }
}

ApiResponse request_reply_to(const AdminServices& s, const RouteCall& c) {
    if (!s.openapi) throw HttpError{503, "Unavailable", "sending is not available"};
    const auto& address = c.param("address");
    const auto reply_to = field(c.body, "reply_to");
    const auto token = s.store.request_reply_to(address, reply_to, unix_now());
    s.openapi->sender().reply_to_verification(address, reply_to, token);
    return ok(json{{"address", address}, {"reply_to", reply_to}, {"reply_to_status", "pending"}});
}

} // namespace

std::span<const Route> address_routes() {
    static const Route routes[] = {
        {"GET", "/v1/addresses", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(list_json(s.store.list_addresses(c.query_or_empty("account")),
                                 [](const auto& a) { return to_json(a); }));
         }},
        {"POST", "/v1/addresses", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(to_json(s.store.add_address(field(c.body, "account"), field(c.body, "address"),
                                                   field(c.body, "type", false))),
                       201);
         }},
        {"GET", "/v1/addresses/{address}", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok(to_json(s.store.get_address(c.param("address"))));
         }},
        {"DELETE", "/v1/addresses/{address}", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             s.store.remove_address(c.param("address"));
             return ok(deleted(c.param("address")));
         }},
        {"PUT", "/v1/addresses/{address}/password", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             s.store.set_password(c.param("address"), field(c.body, "password"));
             admin_change_event(c, "password_changed", s.store.get_address(c.param("address")).account,
                                "address=" + c.param("address"));
             return ok({{"address", c.param("address")}, {"smtp_password", true}});
         }},
        {"PUT", "/v1/addresses/{address}/reply-to", Access::admin, request_reply_to},
        {"GET", "/v1/reply-to/confirm", Access::public_,
         [](const AdminServices&, const RouteCall& c) { return confirmation_form(c.request); }},
        {"POST", "/v1/reply-to/confirm", Access::public_,
         [](const AdminServices& s, const RouteCall& c) { return confirm_reply_to_token(s, c.request); }},
    };
    return routes;
}

ApiResponse reply_to_confirmation_page(const AdminServices& s, const ApiRequest& request) {
    try {
        if (request.method == "GET") return confirmation_form(request);
        if (request.method == "POST") return confirm_reply_to_token(s, request);
        return error_response(405, "MethodNotAllowed", "GET shows the page, POST confirms");
    } catch (const std::exception& e) {
        spdlog::error("reply-to confirmation failed: {}", e.what());
        return html(500, html_page("Not confirmed", "Something went wrong on our side; try again later."));
    }
}

} // namespace mailpush::api::detail
