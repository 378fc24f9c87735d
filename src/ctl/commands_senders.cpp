// domain and address: /v1/domains and /v1/addresses.
#include "command.hpp"
#include "text_input.hpp"

namespace mailpush::ctl {
namespace {

const std::vector<std::string> kDomainColumns{"domain", "account", "verified", "created_at"};
// One row per DNS record: what to publish, and what the last check found.
const std::vector<std::string> kRecordColumns{"purpose", "type", "host", "value", "status", "found"};
const std::vector<std::string> kAddressColumns{"address", "account", "type", "smtp_password", "created_at"};

std::string domain_path(const Invocation& in) {
    return "/v1/domains/" + in.encoded(0);
}
std::string address_path(const Invocation& in) {
    return "/v1/addresses/" + in.encoded(0);
}

// The password comes from standard input, never from the command line.
Call set_password(const Invocation& in) {
    if (!in.has("password-stdin")) throw UsageError{"address password needs --password-stdin"};
    const auto password = read_stdin_line();
    return {"PUT", address_path(in) + "/password", {{"password", password}}, {"address", "smtp_password"}};
}

} // namespace

std::span<const Command> sender_commands() {
    static const Command rows[] = {
        {{"domain", "add"},
         "ACCOUNT DOMAIN",
         [](const Invocation& in) {
             return Call{
                 "POST", "/v1/domains", {{"account", in.arg(0)}, {"domain", in.arg(1)}}, kDomainColumns};
         }},
        {{"domain", "list"},
         "[ACCOUNT]",
         [](const Invocation& in) {
             return Call{"GET", "/v1/domains" + in.account_filter(), nullptr, kDomainColumns};
         }},
        {{"domain", "show"},
         "DOMAIN",
         [](const Invocation& in) {
             return Call{"GET", domain_path(in), nullptr, kDomainColumns};
         }},
        {{"domain", "delete"},
         "DOMAIN",
         [](const Invocation& in) {
             return Call{"DELETE", domain_path(in), nullptr, {"deleted"}};
         }},
        {{"domain", "verify"},
         "DOMAIN",
         [](const Invocation& in) {
             return Call{"POST", domain_path(in) + "/verify", nullptr, kRecordColumns, "records"};
         }},
        {{"domain", "records"},
         "DOMAIN",
         [](const Invocation& in) {
             return Call{"GET", domain_path(in), nullptr, kRecordColumns, "records"};
         }},
        {{"address", "add"},
         "ACCOUNT ADDRESS [--type trigger|batch]",
         [](const Invocation& in) {
             return Call{
                 "POST",
                 "/v1/addresses",
                 {{"account", in.arg(0)}, {"address", in.arg(1)}, {"type", in.opt("type", "trigger")}},
                 kAddressColumns};
         }},
        {{"address", "list"},
         "[ACCOUNT]",
         [](const Invocation& in) {
             return Call{"GET", "/v1/addresses" + in.account_filter(), nullptr, kAddressColumns};
         }},
        {{"address", "show"},
         "ADDRESS",
         [](const Invocation& in) {
             return Call{"GET", address_path(in), nullptr, kAddressColumns};
         }},
        {{"address", "delete"},
         "ADDRESS",
         [](const Invocation& in) {
             return Call{"DELETE", address_path(in), nullptr, {"deleted"}};
         }},
        {{"address", "password"}, "ADDRESS --password-stdin", set_password},
        {{"address", "reply-to"},
         "ADDRESS REPLY_TO_ADDRESS",
         [](const Invocation& in) {
             return Call{"PUT",
                         address_path(in) + "/reply-to",
                         {{"reply_to", in.arg(1)}},
                         {"address", "reply_to", "reply_to_status"}};
         }},
    };
    return rows;
}

} // namespace mailpush::ctl
