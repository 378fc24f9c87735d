// suppression: an account's suppression list and filter level, /v1/suppressions and
// /v1/suppression-levels (docs/suppression.md).
#include "command.hpp"
#include "http_client.hpp"

namespace mailpush::ctl {
namespace {

const std::vector<std::string> kColumns{"id",    "address",   "kind",         "source",
                                        "scope", "created_s", "last_bounce_s"};

std::string list_query(const Invocation& in) {
    std::string q = "?account=" + in.encoded(0);
    for (const char* o : {"address", "source", "from", "to"})
        if (in.has(o)) q += std::string("&") + o + "=" + url_encode(in.opt(o));
    return q;
}

} // namespace

std::span<const Command> suppression_commands() {
    static const Command rows[] = {
        {{"suppression", "add"},
         "ACCOUNT ADDRESS-OR-DOMAIN [--source manual|complaint]",
         [](const Invocation& in) {
             return Call{
                 "POST",
                 "/v1/suppressions",
                 {{"account", in.arg(0)}, {"address", in.arg(1)}, {"source", in.opt("source", "manual")}},
                 kColumns};
         }},
        {{"suppression", "list"},
         "ACCOUNT [--address A] [--source S] [--from UNIX] [--to UNIX]",
         [](const Invocation& in) {
             return Call{"GET", "/v1/suppressions" + list_query(in), nullptr, kColumns};
         }},
        {{"suppression", "remove"},
         "ACCOUNT ID",
         [](const Invocation& in) {
             return Call{
                 "DELETE", "/v1/suppressions/" + in.encoded(0) + "/" + in.encoded(1), nullptr, {"deleted"}};
         }},
        {{"suppression", "level"},
         "ACCOUNT [--set mailfrom|mailfrom_domain|edm_id|disabled]",
         [](const Invocation& in) {
             if (!in.has("set"))
                 return Call{"GET", "/v1/suppression-levels/" + in.encoded(0), nullptr, {"account", "level"}};
             return Call{"PUT",
                         "/v1/suppression-levels/" + in.encoded(0),
                         {{"level", in.opt("set")}},
                         {"account", "level"}};
         }},
    };
    return rows;
}

} // namespace mailpush::ctl
