// account traffic: an account's overrides of the traffic rules (/v1/accounts/{name}/traffic);
// blocks: the recipients the rules block (/v1/blocks). docs/accounts.md.
#include "command.hpp"
#include "http_client.hpp"

#include <charconv>

namespace mailpush::ctl {
namespace {

struct Option {
    const char* flag;  // "submission-rate"
    const char* field; // "submission_rate"
    bool boolean;      // on|off
};
constexpr Option kOptions[] = {
    {"submission-rate", "submission_rate", false},
    {"submission-window", "submission_window", false},
    {"fatigue-limit", "fatigue_limit", false},
    {"fatigue-window", "fatigue_window", false},
    {"warmup", "warmup", true},
    {"warmup-start", "warmup_start", false},
    {"warmup-growth-percent", "warmup_growth_percent", false},
    {"warmup-days", "warmup_days", false},
};

// "default" clears the override; the server checks the bounds.
nlohmann::json option_value(const Option& o, const std::string& text) {
    if (text == "default") return nullptr;
    if (o.boolean) {
        if (text == "on") return true;
        if (text == "off") return false;
        throw UsageError{std::string("--") + o.flag + " must be on, off or default"};
    }
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size())
        throw UsageError{std::string("--") + o.flag + " must be a whole number or default"};
    return v;
}

Call traffic(const Invocation& in) {
    nlohmann::json body = nlohmann::json::object();
    for (const auto& o : kOptions)
        if (in.has(o.flag)) body[o.field] = option_value(o, in.opt(o.flag));
    const std::string target = "/v1/accounts/" + in.encoded(0) + "/traffic";
    Call call{body.empty() ? "GET" : "PUT",
              target,
              body.empty() ? nlohmann::json() : body,
              {"field", "override", "effective"}};
    call.rows_key = "fields";
    return call;
}

const std::vector<std::string> kBlockColumns{"type", "recipient", "sender", "block_s", "until_s", "reason"};

} // namespace

std::span<const Command> traffic_commands() {
    static const Command rows[] = {
        {{"account", "traffic"},
         "ACCOUNT [--submission-rate N] [--submission-window SECONDS] [--fatigue-limit N] "
         "[--fatigue-window SECONDS] [--warmup on|off] [--warmup-start N] [--warmup-growth-percent N] "
         "[--warmup-days N] (each also: default)",
         traffic},
        {{"blocks", "list"},
         "ACCOUNT [--type UNSUB|REPORT|FREQ] [--sender ADDRESS] [--rcpt ADDRESS]",
         [](const Invocation& in) {
             std::string q = "?account=" + in.encoded(0);
             if (in.has("type")) q += "&type=" + url_encode(in.opt("type"));
             if (in.has("sender")) q += "&sender=" + url_encode(in.opt("sender"));
             if (in.has("rcpt")) q += "&recipient=" + url_encode(in.opt("rcpt"));
             return Call{"GET", "/v1/blocks" + q, nullptr, kBlockColumns};
         }},
        {{"blocks", "remove"},
         "ACCOUNT UNSUB|REPORT|FREQ SENDER RECIPIENT",
         [](const Invocation& in) {
             return Call{"DELETE",
                         "/v1/blocks?account=" + in.encoded(0) + "&type=" + in.encoded(1) +
                             "&sender=" + in.encoded(2) + "&recipient=" + in.encoded(3),
                         nullptr,
                         {"deleted"}};
         }},
    };
    return rows;
}

} // namespace mailpush::ctl
