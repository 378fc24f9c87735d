// /v1/suppressions: an account's suppression list and its filter level (docs/suppression.md);
// and the one-click unsubscribe link of the public listener, /u/{token} (RFC 8058: POST
// unsubscribes at once; GET shows a page with a button and changes nothing).
#include "admin_router.hpp"
#include "admin_util.hpp"
#include "html_page.hpp"

#include "mailpush/common/calendar.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/common/url.hpp"
#include "mailpush/store/store.hpp"

#include <spdlog/spdlog.h>

namespace mailpush::api::detail {
namespace {

json to_json(const store::Suppression& s) {
    return {{"id", s.id},
            {"account", s.account},
            {"address", s.address},
            {"kind", s.is_domain() ? "domain" : "address"},
            {"source", s.source},
            {"scope", s.scope},
            {"created_s", s.created_s},
            {"last_bounce_s", s.last_bounce_s}};
}

std::int64_t id_param(const RouteCall& c) {
    const auto id = common::parse_u64(c.param("id"));
    if (!id || *id == 0 || *id > static_cast<std::uint64_t>(INT64_MAX))
        throw HttpError{400, "InvalidParameter", "the suppression id must be a positive integer"};
    return static_cast<std::int64_t>(*id);
}

store::FilterLevel level_field(const json& body) {
    const auto level = store::parse_filter_level(field(body, "level"));
    if (!level)
        throw HttpError{400, "InvalidParameter",
                        "level must be mailfrom, mailfrom_domain, edm_id or disabled"};
    return *level;
}

std::int64_t time_query(const RouteCall& c, const char* name) {
    const auto text = c.query_or_empty(name);
    if (text.empty()) return 0;
    const auto v = common::parse_u64(text);
    if (!v || *v > static_cast<std::uint64_t>(INT64_MAX / 2))
        throw HttpError{400, "InvalidParameter", std::string(name) + " must be Unix seconds"};
    return static_cast<std::int64_t>(*v);
}

ApiResponse list(const AdminServices& s, const RouteCall& c) {
    const auto account = c.query_or_empty("account");
    if (account.empty()) throw HttpError{400, "MissingParameter", "missing query parameter \"account\""};
    store::SuppressionFilter f;
    f.address = c.query_or_empty("address");
    f.start_create = time_query(c, "from");
    f.end_create = time_query(c, "to");
    const auto source = c.query_or_empty("source");
    std::vector<store::Suppression> rows;
    for (auto& e : s.store.list_suppressions(account))
        if (f.matches(e) && (source.empty() || e.source == source)) rows.push_back(std::move(e));
    return ok(list_json(rows, [](const auto& e) { return to_json(e); }));
}

ApiResponse add(const AdminServices& s, const RouteCall& c) {
    const auto source = field(c.body, "source", false);
    if (!source.empty() && source != store::kSourceManual && source != store::kSourceComplaint)
        throw HttpError{400, "InvalidParameter", "source must be manual or complaint"};
    const auto entry = s.store.add_suppression(field(c.body, "account"), field(c.body, "address"),
                                               source.empty() ? store::kSourceManual : source, "",
                                               common::unix_seconds_now());
    return ok(to_json(entry), 201);
}

// ---- the public one-click unsubscribe link --------------------------------------------------

ApiResponse page(unsigned status, std::string_view title, std::string_view text, std::string_view form = "") {
    return {status, html_page(title, text, form), "text/html; charset=utf-8"};
}

ApiResponse not_found() {
    return page(404, "Link not valid", "This unsubscribe link is not valid.");
}

std::string token_of(const ApiRequest& r) {
    const auto path = std::string_view(r.target).substr(0, r.target.find('?'));
    return std::string(path.substr(3)); // after "/u/"
}

// RFC 8058: the body a mail provider posts is "List-Unsubscribe=One-Click"; our own button
// posts the same. An empty body is taken as that too; anything else is refused.
bool one_click_body(const std::string& body) {
    if (common::trim(body).empty()) return true;
    for (const auto& [key, value] : common::parse_form(body))
        if (key == "List-Unsubscribe" && value == "One-Click") return true;
    return false;
}
} // namespace

std::span<const Route> suppression_routes() {
    static const Route routes[] = {
        {"GET", "/v1/suppressions", Access::admin, list},
        {"POST", "/v1/suppressions", Access::admin, add},
        {"DELETE", "/v1/suppressions/{account}/{id}", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             s.store.remove_suppressions(c.param("account"), {id_param(c)});
             return ok(deleted(c.param("id")));
         }},
        {"GET", "/v1/suppression-levels/{account}", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             return ok({{"account", c.param("account")},
                        {"level", store::to_string(s.store.suppression_level(c.param("account")))}});
         }},
        {"PUT", "/v1/suppression-levels/{account}", Access::admin,
         [](const AdminServices& s, const RouteCall& c) {
             const auto level = s.store.set_suppression_level(c.param("account"), level_field(c.body));
             return ok({{"account", c.param("account")}, {"level", store::to_string(level)}});
         }},
    };
    return routes;
}

ApiResponse unsubscribe_page(const AdminServices& s, const ApiRequest& request) {
    try {
        const auto token = token_of(request);
        if (request.method == "GET") {
            const auto claim = s.store.read_unsubscribe(token);
            if (!claim) return not_found();
            const std::string form =
                "<form method=\"post\" action=\"/u/" + html_escaped(token) +
                "\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
                "<button type=\"submit\">Unsubscribe</button></form>";
            return page(200, "Unsubscribe",
                        "Stop mail from " + claim->sender + " (account " + claim->account + ") to " +
                            claim->recipient + "?",
                        form);
        }
        if (request.method == "POST") {
            if (!one_click_body(request.body))
                return page(400, "Not unsubscribed", "The request body must be List-Unsubscribe=One-Click.");
            const auto claim = s.store.unsubscribe(token, common::unix_seconds_now());
            if (!claim) return not_found();
            spdlog::info("unsubscribe account={} sender={} rcpt={} level={}", claim->account, claim->sender,
                         claim->recipient, store::to_string(claim->level));
            return page(200, "Unsubscribed",
                        claim->recipient + " will no longer get this mail from account " + claim->account +
                            ".");
        }
        return {405, "", "text/plain"};
    } catch (const std::exception& e) {
        spdlog::error("unsubscribe failed: {}", e.what());
        return page(500, "Not unsubscribed", "Something went wrong on our side; try again later.");
    }
}

} // namespace mailpush::api::detail
