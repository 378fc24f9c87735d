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

// `domain add`: the DKIM keys made with the domain (RSA 2048 unless --rsa-bits, Ed25519 too
// with --ed25519).
Call add_domain(const Invocation& in) {
    nlohmann::json body{{"account", in.arg(0)}, {"domain", in.arg(1)}};
    if (const auto bits = in.number("rsa-bits")) body["dkim_rsa_bits"] = *bits;
    if (in.has("ed25519")) body["dkim_ed25519"] = true;
    return {"POST", "/v1/domains", body, kDomainColumns};
}

const std::vector<std::string> kDkimColumns{"selector", "algorithm", "rsa_bits", "state", "public_key"};

Call rotate_dkim(const Invocation& in) {
    nlohmann::json body = nlohmann::json::object();
    if (const auto bits = in.number("rsa-bits")) body["rsa_bits"] = *bits;
    return {"POST", domain_path(in) + "/dkim/rotate", body, kDkimColumns, "dkim"};
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
        {{"domain", "add"}, "ACCOUNT DOMAIN [--rsa-bits 1024|2048] [--ed25519]", add_domain},
        {{"domain", "dkim", "rotate"}, "DOMAIN [--rsa-bits 1024|2048]", rotate_dkim},
        {{"domain", "dkim", "keys"},
         "DOMAIN",
         [](const Invocation& in) {
             return Call{"GET", domain_path(in), nullptr, kDkimColumns, "dkim"};
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
