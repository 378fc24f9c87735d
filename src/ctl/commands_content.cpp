// tag, list, template and task: /v1/tags, /v1/receiver-lists, /v1/templates and /v1/tasks.
#include "command.hpp"
#include "text_input.hpp"

namespace mailpush::ctl {
namespace {
using nlohmann::json;

const std::vector<std::string> kTagColumns{"account", "name", "description", "created_at"};
const std::vector<std::string> kListColumns{"account", "name", "alias", "count", "description", "created_at"};
const std::vector<std::string> kTemplateColumns{"account", "name", "status", "type", "subject", "updated_at"};
const std::vector<std::string> kTaskColumns{"id",    "account", "template", "receivers", "status",
                                            "total", "queued",  "skipped",  "track"};

// ACCOUNT NAME as a path under `base`.
std::string item_path(const std::string& base, const Invocation& in) {
    return base + "/" + in.encoded(0) + "/" + in.encoded(1);
}

Call upload(const Invocation& in) {
    // Read before building the Call: GCC 12 leaks aggregate members already built when a later
    // initializer throws.
    json body{{"content", read_text_file(in.arg(2))}};
    return {"POST",
            item_path("/v1/receiver-lists", in) + "/upload",
            std::move(body),
            {"line", "EAddr", "reason"},
            "errors"};
}

// The subject, body file and type of `template add` and `template edit`.
json template_content(const Invocation& in, json body) {
    if (!in.has("subject") || !in.has("body-file"))
        throw UsageError{"template " + in.command.words.back() + " needs --subject and --body-file"};
    body["subject"] = in.opt("subject");
    body["body"] = read_text_file(in.opt("body-file"));
    body["type"] = in.opt("type", "html");
    body["from_alias"] = in.opt("from-alias");
    return body;
}

Call add_template(const Invocation& in) {
    json body =
        template_content(in, {{"account", in.arg(0)}, {"name", in.arg(1)}}); // may throw: before the Call
    return {"POST", "/v1/templates", std::move(body), kTemplateColumns};
}

Call edit_template(const Invocation& in) {
    json body = template_content(in, json::object()); // may throw: before the Call
    return {"PUT", item_path("/v1/templates", in), std::move(body), kTemplateColumns};
}

// submit, approve or reject: the command's verb is the action.
Call review_template(const Invocation& in) {
    return {"POST",
            item_path("/v1/templates", in) + "/" + in.command.words.back(),
            {{"reason", in.opt("reason")}},
            kTemplateColumns};
}

Call send_task(const Invocation& in) {
    for (const char* o : {"address", "template", "list"})
        if (!in.has(o)) throw UsageError{std::string("task send needs --") + o};
    const auto address_type = in.number("address-type").value_or(1); // may throw: first
    return {"POST",
            "/v1/tasks",
            {{"account", in.arg(0)},
             {"address", in.opt("address")},
             {"template", in.opt("template")},
             {"receivers", in.opt("list")},
             {"tag", in.opt("tag")},
             {"address_type", address_type},
             {"track", in.has("track")}},
            kTaskColumns};
}

} // namespace

std::span<const Command> content_commands() {
    static const Command rows[] = {
        {{"tag", "add"},
         "ACCOUNT NAME [--description TEXT]",
         [](const Invocation& in) {
             return Call{
                 "POST",
                 "/v1/tags",
                 {{"account", in.arg(0)}, {"name", in.arg(1)}, {"description", in.opt("description")}},
                 kTagColumns};
         }},
        {{"tag", "list"},
         "[ACCOUNT]",
         [](const Invocation& in) {
             return Call{"GET", "/v1/tags" + in.account_filter(), nullptr, kTagColumns};
         }},
        {{"tag", "delete"},
         "ACCOUNT NAME",
         [](const Invocation& in) {
             return Call{"DELETE", item_path("/v1/tags", in), nullptr, {"deleted"}};
         }},
        {{"tag", "rename"},
         "ACCOUNT NAME NEW_NAME",
         [](const Invocation& in) {
             return Call{"PATCH", item_path("/v1/tags", in), {{"name", in.arg(2)}}, kTagColumns};
         }},
        {{"list", "add"},
         "ACCOUNT NAME ALIAS [--description TEXT]",
         [](const Invocation& in) {
             return Call{"POST",
                         "/v1/receiver-lists",
                         {{"account", in.arg(0)},
                          {"name", in.arg(1)},
                          {"alias", in.arg(2)},
                          {"description", in.opt("description")}},
                         kListColumns};
         }},
        {{"list", "list"},
         "[ACCOUNT]",
         [](const Invocation& in) {
             return Call{"GET", "/v1/receiver-lists" + in.account_filter(), nullptr, kListColumns};
         }},
        {{"list", "show"},
         "ACCOUNT NAME",
         [](const Invocation& in) {
             return Call{"GET", item_path("/v1/receiver-lists", in), nullptr, kListColumns};
         }},
        {{"list", "delete"},
         "ACCOUNT NAME",
         [](const Invocation& in) {
             return Call{"DELETE", item_path("/v1/receiver-lists", in), nullptr, {"deleted"}};
         }},
        {{"list", "upload"}, "ACCOUNT NAME FILE.csv|FILE.txt", upload},
        {{"list", "members"},
         "ACCOUNT NAME",
         [](const Invocation& in) {
             return Call{"GET",
                         item_path("/v1/receiver-lists", in) + "/members",
                         nullptr,
                         {"EAddr", "UserName", "NickName", "Gender", "Birthday", "Mobile"}};
         }},
        {{"list", "remove"},
         "ACCOUNT NAME ADDRESS",
         [](const Invocation& in) {
             return Call{"DELETE",
                         item_path("/v1/receiver-lists", in) + "/members/" + in.encoded(2),
                         nullptr,
                         {"deleted"}};
         }},
        {{"template", "add"},
         "ACCOUNT NAME --subject TEXT --body-file FILE [--type html|text] [--from-alias TEXT]",
         add_template},
        {{"template", "edit"},
         "ACCOUNT NAME --subject TEXT --body-file FILE [--type ..] [--from-alias ..]",
         edit_template},
        {{"template", "list"},
         "[ACCOUNT]",
         [](const Invocation& in) {
             return Call{"GET", "/v1/templates" + in.account_filter(), nullptr, kTemplateColumns};
         }},
        {{"template", "show"},
         "ACCOUNT NAME",
         [](const Invocation& in) {
             return Call{"GET", item_path("/v1/templates", in), nullptr, kTemplateColumns};
         }},
        {{"template", "delete"},
         "ACCOUNT NAME",
         [](const Invocation& in) {
             return Call{"DELETE", item_path("/v1/templates", in), nullptr, {"deleted"}};
         }},
        {{"template", "submit"}, "ACCOUNT NAME", review_template},
        {{"template", "approve"}, "ACCOUNT NAME", review_template},
        {{"template", "reject"}, "ACCOUNT NAME [--reason TEXT]", review_template},
        {{"task", "send"},
         "ACCOUNT --address ADDRESS --template NAME --list NAME [--tag NAME] [--address-type 0|1] [--track]",
         send_task},
        {{"task", "list"},
         "[ACCOUNT]",
         [](const Invocation& in) {
             return Call{"GET", "/v1/tasks" + in.account_filter(), nullptr, kTaskColumns};
         }},
    };
    return rows;
}

} // namespace mailpush::ctl
