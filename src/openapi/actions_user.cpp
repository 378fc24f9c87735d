// The account itself (GetUser, UpdateUser) and a template's test send (SendTestByTemplate).
#include "actions.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/openapi/message_builder.hpp"
#include "mailpush/store/store.hpp"

#include <regex>

namespace mailpush::openapi::detail {
using nlohmann::json;

namespace {
// A parameter of at most `max` characters (the SDK documents these limits).
std::string bounded(ActionContext& c, const char* name, std::size_t max, bool required) {
    auto v = required ? c.required(name) : c.optional(name);
    if (common::utf8_length(v) > max)
        throw ApiError{400, "InvalidParameter",
                       std::string("The parameter ") + name + " is longer than " + std::to_string(max) +
                           " characters."};
    return v;
}

// TemplateParams: a JSON object of string values, each key a {name} the template may use.
std::map<std::string, std::string, std::less<>> template_params(ActionContext& c) {
    std::map<std::string, std::string, std::less<>> out;
    const auto raw = c.optional("TemplateParams");
    if (raw.empty()) return out;
    const auto doc = json::parse(raw, nullptr, false);
    const auto bad = [](const std::string& why) {
        return ApiError{400, "InvalidParameter", "TemplateParams " + why};
    };
    if (!doc.is_object()) throw bad("must be a JSON object such as {\"age\":\"20\"}.");
    if (doc.size() > 50) throw bad("has more than 50 keys.");
    static const std::regex kName("[A-Za-z0-9_]+");
    for (const auto& [key, value] : doc.items()) {
        if (key.size() > kMaxVariableName || !std::regex_match(key, kName))
            throw bad("keys are letters, digits and _ (at most 64).");
        if (!value.is_string()) throw bad("values must be strings.");
        if (common::utf8_length(value.get<std::string>()) > 1000)
            throw bad("values are at most 1000 characters.");
        out[key] = value.get<std::string>();
    }
    return out;
}
} // namespace

json get_user(ActionContext& c) {
    return {{"Data", {{"EnableEventbridge", c.store.get_account(c.account).events_enabled}}}};
}

// User: {"EnableEventbridge": true|false}, the account's event notifications.
json update_user(ActionContext& c) {
    const auto doc = json::parse(c.required("User"), nullptr, false);
    if (!doc.is_object() || doc.empty())
        throw ApiError{400, "InvalidParameter",
                       "User must be a JSON object such as {\"EnableEventbridge\":true}."};
    for (const auto& [key, value] : doc.items())
        if (key != "EnableEventbridge")
            throw ApiError{400, "InvalidParameter.Unsupported", "User." + key + " is not supported."};
    if (!doc["EnableEventbridge"].is_boolean())
        throw ApiError{400, "InvalidParameter", "User.EnableEventbridge must be true or false."};
    const bool on = doc["EnableEventbridge"].get<bool>();
    c.store.set_events_enabled(c.account, on);
    c.report("account_changed", on ? "event notifications on" : "event notifications off");
    return json::object();
}

namespace {
struct Rendered {
    store::Template tpl;
    std::string subject;
    std::string body;
};

// The template of TemplateId rendered with the six variables and TemplateParams of the request.
Rendered render_with_params(ActionContext& c, store::ReceiverRow& row) {
    auto tpl = by_id(c.store.list_templates(c.account), id_param(c, "TemplateId"), "Template");
    row.user_name = bounded(c, "UserName", 30, false);
    row.nick_name = bounded(c, "NickName", 30, false);
    row.gender = bounded(c, "Gender", 30, false);
    row.birthday = bounded(c, "Birthday", 30, false);
    row.mobile = bounded(c, "Mobile", 30, false);
    const auto extra = template_params(c);
    auto subject = one_line(render_template(tpl.subject, row, extra));
    auto body = render_template(tpl.body, row, extra);
    return {std::move(tpl), std::move(subject), std::move(body)};
}
} // namespace

// The template rendered with the given values and sent to one address, whatever the template's
// review state (authors test before they submit), through the same checks as SingleSendMail.
json send_test_by_template(ActionContext& c) {
    store::ReceiverRow row;
    row.email = bounded(c, "Email", 60, true);
    if (row.email.find_first_of(",;") != std::string::npos)
        throw ApiError{400, "InvalidToAddress", "Email is one address: a test goes to one recipient."};
    const auto r = render_with_params(c, row);
    SingleSend s;
    s.account = c.account;
    s.sender = bounded(c, "AccountName", 60, true);
    s.to = row.email;
    s.from_alias = r.tpl.from_alias;
    s.subject = r.subject;
    (r.tpl.type == "text" ? s.text_body : s.html_body) = r.body;
    c.send.single(s, c.origin, c.now_s);
    return json::object();
}

// Ours: what SendTestByTemplate would send (Email optional, for {EAddr}), sent nowhere.
json preview_template(ActionContext& c) {
    store::ReceiverRow row;
    row.email = bounded(c, "Email", 60, false);
    const auto r = render_with_params(c, row);
    return {{"Subject", r.subject}, {"Body", r.body}, {"TemplateType", r.tpl.type == "text" ? 1 : 0}};
}

} // namespace mailpush::openapi::detail
