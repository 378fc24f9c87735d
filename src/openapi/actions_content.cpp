// Ours, for the console and any client (docs/openapi.md): writing templates and submitting them
// for review, and uploading a recipient list's file. The rules are the store's, as for the admin API.
#include "actions.hpp"

#include "mailpush/openapi/receiver_upload.hpp"
#include "mailpush/store/store.hpp"

namespace mailpush::openapi::detail {
using nlohmann::json;

namespace {
// TemplateType as QueryTemplateByParam shows it: 0 HTML, 1 text.
std::string template_type(ActionContext& c, const std::string& fallback) {
    const auto v = c.optional("TemplateType", fallback);
    if (v != "0" && v != "1")
        throw ApiError{400, "InvalidParameter", "TemplateType must be 0 (HTML) or 1 (text)."};
    return v == "1" ? "text" : "html";
}

json template_json(const store::Template& t) {
    return {{"TemplateId", std::to_string(t.id)}, {"TemplateName", t.name}};
}
} // namespace

json create_template(ActionContext& c) {
    const store::TemplateInput in{c.required("TemplateName"), c.required("TemplateSubject"),
                                  c.required("TemplateText"), c.optional("TemplateNickName"),
                                  template_type(c, "0")};
    return template_json(c.store.add_template(c.account, in));
}

// Any field left out keeps its value; the template goes back to draft (the store's rule).
json modify_template(ActionContext& c) {
    const auto t = by_id(c.store.list_templates(c.account), id_param(c, "TemplateId"), "Template");
    const store::TemplateInput in{
        c.optional("TemplateName", t.name), c.optional("TemplateSubject", t.subject),
        c.optional("TemplateText", t.body), c.optional("TemplateNickName", t.from_alias),
        template_type(c, t.type == "text" ? "1" : "0")};
    return template_json(c.store.update_template(c.account, t.name, in));
}

json delete_template(ActionContext& c) {
    const auto t = by_id(c.store.list_templates(c.account), id_param(c, "TemplateId"), "Template");
    c.store.remove_template(c.account, t.name);
    return json::object();
}

// A draft or rejected template goes to the operator's review.
json submit_template(ActionContext& c) {
    const auto t = by_id(c.store.list_templates(c.account), id_param(c, "TemplateId"), "Template");
    return template_json(c.store.set_template_state(c.account, t.name, "submit", ""));
}

// Content: the file's text (CSV or TXT, docs/accounts.md). Good rows are stored; each bad one is
// reported with its line of the file.
json upload_receivers(ActionContext& c) {
    const auto l = by_id(c.store.list_receiver_lists(c.account), id_param(c, "ReceiverId"), "Receiver");
    const auto outcome = import_receivers(c.store, c.account, l.name, c.required("Content"));
    json errors = json::array();
    for (const auto& e : outcome.errors)
        errors.push_back({{"Line", e.line}, {"Email", e.email}, {"ErrMessage", e.reason}});
    return {{"RowCount", outcome.rows},
            {"AddedCount", outcome.added},
            {"UpdatedCount", outcome.updated},
            {"ErrorCount", outcome.errors.size()},
            {"Data", {{"Detail", errors}}}};
}

} // namespace mailpush::openapi::detail
