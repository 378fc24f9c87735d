// invalid: the invalid-address library, /v1/invalid-addresses.
#include "command.hpp"
#include "http_client.hpp"

namespace mailpush::ctl {
namespace {

const std::vector<std::string> kInvalidColumns{"account", "address", "reason", "created_at"};

// The console's search: account (may be empty), days added, keyword.
std::string search_query(const Invocation& in) {
    std::string q = "?account=" + (in.args.empty() ? std::string() : in.encoded(0));
    for (const char* o : {"from", "to", "keyword"})
        if (in.has(o)) q += std::string("&") + o + "=" + url_encode(in.opt(o));
    return q;
}

Call export_csv(const Invocation& in) {
    Call csv{"GET", "/v1/invalid-addresses" + search_query(in) + "&format=csv", nullptr, {}};
    csv.raw = true;
    return csv;
}

} // namespace

std::span<const Command> invalid_commands() {
    static const Command rows[] = {
        {{"invalid", "add"},
         "ACCOUNT ADDRESS [--reason TEXT]",
         [](const Invocation& in) {
             return Call{
                 "POST",
                 "/v1/invalid-addresses",
                 {{"account", in.arg(0)}, {"address", in.arg(1)}, {"reason", in.opt("reason", "manual")}},
                 kInvalidColumns};
         }},
        {{"invalid", "remove"},
         "ACCOUNT ADDRESS",
         [](const Invocation& in) {
             return Call{"DELETE",
                         "/v1/invalid-addresses/" + in.encoded(0) + "/" + in.encoded(1),
                         nullptr,
                         {"deleted"}};
         }},
        {{"invalid", "list"},
         "[ACCOUNT] [--from DATE] [--to DATE] [--keyword TEXT]",
         [](const Invocation& in) {
             return Call{"GET", "/v1/invalid-addresses" + search_query(in), nullptr, kInvalidColumns};
         }},
        {{"invalid", "export"}, "[ACCOUNT] [--from DATE] [--to DATE] [--keyword TEXT]   (CSV)", export_csv},
    };
    return rows;
}

} // namespace mailpush::ctl
