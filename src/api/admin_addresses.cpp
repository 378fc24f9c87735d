// /v1/addresses: sender addresses, their SMTP password and reply-to address; and
// /v1/reply-to/confirm, the link mailed to a reply-to address (no admin token: the link's token is
// the credential).
#include "admin_router.hpp"
#include "admin_util.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/openapi/openapi.hpp"
#include "mailpush/openapi/send_service.hpp"
#include "mailpush/store/store.hpp"

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

// A minimal page; the text is escaped (it holds addresses a user typed).
std::string confirmation_page(const std::string& title, const std::string& text) {
    std::string escaped;
    for (const char c : text) {
        switch (c) {
        case '<':
            escaped += "&lt;";
            break;
        case '>':
            escaped += "&gt;";
            break;
        case '&':
            escaped += "&amp;";
            break;
        case '"':
            escaped += "&quot;";
            break;
        default:
            escaped += c;
        }
    }
    return "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + title +
           "</title></head><body><h1>" + title + "</h1><p>" + escaped + "</p></body></html>\n";
}

ApiResponse request_reply_to(const AdminServices& s, const RouteCall& c) {
    if (!s.openapi) throw HttpError{503, "Unavailable", "sending is not available"};
    const auto& address = c.param("address");
    const auto reply_to = field(c.body, "reply_to");
    const auto token = s.store.request_reply_to(address, reply_to, unix_now());
    s.openapi->sender().reply_to_verification(address, reply_to, token);
    return ok(json{{"address", address}, {"reply_to", reply_to}, {"reply_to_status", "pending"}});
}

// A person clicks this link in a mail client: a browser gets a sentence, a script JSON. Only the
// store's refusals are answered here; anything else is the router's 500.
ApiResponse confirm_reply_to(const AdminServices& s, const RouteCall& c) {
    bool browser = false;
    for (const auto& [name, value] : c.request.headers)
        if (common::iequals(name, "accept") && value.find("text/html") != std::string::npos) browser = true;
    try {
        const auto a = s.store.confirm_reply_to(c.query_or_empty("token"), unix_now());
        if (browser)
            return {200,
                    confirmation_page("Confirmed",
                                      a.reply_to + " is now the reply-to address of " + a.address + "."),
                    "text/html; charset=utf-8"};
        return ok({{"address", a.address}, {"reply_to", a.reply_to}, {"reply_to_status", a.reply_to_status}});
    } catch (const store::StoreError& e) {
        if (browser)
            return {store_error_status(e), confirmation_page("Not confirmed", e.what()),
                    "text/html; charset=utf-8"};
        return store_error_response(e);
    }
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
             return ok({{"address", c.param("address")}, {"smtp_password", true}});
         }},
        {"PUT", "/v1/addresses/{address}/reply-to", Access::admin, request_reply_to},
        {"GET", "/v1/reply-to/confirm", Access::public_, confirm_reply_to},
    };
    return routes;
}

} // namespace mailpush::api::detail
