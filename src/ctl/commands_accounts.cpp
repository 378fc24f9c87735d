// account, ip-protection and accesskey: /v1/accounts and /v1/access-keys.
#include "command.hpp"
#include "text_input.hpp"

namespace mailpush::ctl {
namespace {
using nlohmann::json;

const std::vector<std::string> kAccountColumns{"name",        "status",        "region",
                                               "daily_quota", "monthly_quota", "created_at"};
const std::vector<std::string> kQuotaColumns{"name", "daily_quota", "monthly_quota"};
const std::vector<std::string> kIpColumns{"enabled", "entries"};
const std::vector<std::string> kKeyColumns{"AccessKeyId", "account", "created_at"};

std::string account_path(const Invocation& in) {
    return "/v1/accounts/" + in.encoded(0);
}

Call set_status(const Invocation& in) {
    const bool suspend = in.command.words.back() == "suspend";
    return {"PATCH", account_path(in), {{"status", suspend ? "suspended" : "normal"}}, kAccountColumns};
}

// Without --daily or --monthly it shows the quotas.
Call quota(const Invocation& in) {
    json body = json::object();
    if (auto d = in.number("daily")) body["daily_quota"] = *d;
    if (auto m = in.number("monthly")) body["monthly_quota"] = *m;
    if (body.empty()) return {"GET", account_path(in), nullptr, kQuotaColumns};
    return {"PATCH", account_path(in), std::move(body), kQuotaColumns};
}

Call ip_protection(const Invocation& in) {
    const auto base = account_path(in) + "/ip-protection";
    const auto& verb = in.command.words.back();
    if (verb == "show") return {"GET", base, nullptr, kIpColumns};
    if (verb == "add") return {"POST", base + "/entries", {{"entry", in.arg(1)}}, kIpColumns};
    if (verb == "remove") return {"DELETE", base + "/entries/" + in.encoded(1), nullptr, kIpColumns};
    return {"PATCH", base, {{"enabled", verb == "enable"}}, kIpColumns}; // enable, disable
}

// The console password comes from standard input, never from the command line.
Call console_password(const Invocation& in) {
    if (!in.has("password-stdin")) throw UsageError{"account password needs --password-stdin"};
    return {"PUT",
            account_path(in) + "/console-password",
            {{"password", read_stdin_line()}},
            {"account", "console_password"}};
}

} // namespace

std::span<const Command> account_commands() {
    static const Command rows[] = {
        {{"account", "add"},
         "NAME",
         [](const Invocation& in) {
             return Call{"POST", "/v1/accounts", {{"name", in.arg(0)}}, kAccountColumns};
         }},
        {{"account", "list"},
         "",
         [](const Invocation&) {
             return Call{"GET", "/v1/accounts", nullptr, kAccountColumns};
         }},
        {{"account", "password"}, "NAME --password-stdin", console_password},
        {{"account", "show"},
         "NAME",
         [](const Invocation& in) {
             return Call{"GET", account_path(in), nullptr, kAccountColumns};
         }},
        {{"account", "delete"},
         "NAME",
         [](const Invocation& in) {
             return Call{"DELETE", account_path(in), nullptr, {"deleted"}};
         }},
        {{"account", "suspend"}, "NAME", set_status},
        {{"account", "resume"}, "NAME", set_status},
        {{"account", "quota"}, "ACCOUNT [--daily N] [--monthly N]", quota},
        {{"account", "usage"},
         "ACCOUNT",
         [](const Invocation& in) {
             return Call{
                 "GET",
                 account_path(in) + "/usage",
                 nullptr,
                 {"account", "day", "day_used", "daily_quota", "month", "month_used", "monthly_quota"}};
         }},
        {{"ip-protection", "show"}, "ACCOUNT", ip_protection},
        {{"ip-protection", "enable"}, "ACCOUNT", ip_protection},
        {{"ip-protection", "disable"}, "ACCOUNT", ip_protection},
        {{"ip-protection", "add"}, "ACCOUNT IP|A-B|CIDR", ip_protection},
        {{"ip-protection", "remove"}, "ACCOUNT IP|A-B|CIDR", ip_protection},
        {{"accesskey", "create"},
         "ACCOUNT",
         [](const Invocation& in) {
             return Call{
                 "POST", "/v1/access-keys", {{"account", in.arg(0)}}, {"AccessKeyId", "AccessKeySecret"}};
         }},
        {{"accesskey", "list"},
         "[ACCOUNT]",
         [](const Invocation& in) {
             return Call{"GET", "/v1/access-keys" + in.account_filter(), nullptr, kKeyColumns};
         }},
        {{"accesskey", "delete"},
         "ACCESS_KEY_ID",
         [](const Invocation& in) {
             return Call{"DELETE", "/v1/access-keys/" + in.encoded(0), nullptr, {"deleted"}};
         }},
    };
    return rows;
}

} // namespace mailpush::ctl
