// notify: event notification targets and the pull queue, /v1/notify.
#include "command.hpp"
#include "http_client.hpp"
#include "text_input.hpp"

#include <sstream>

namespace mailpush::ctl {
namespace {
using nlohmann::json;

const std::vector<std::string> kTargetColumns{"account", "address", "target", "events", "secret"};

// TARGET is "queue" (the pull queue) or an http(s) URL; the secret comes from standard input.
Call set_target(const Invocation& in) {
    json body{{"account", in.arg(0)}, {"address", in.opt("address")}, {"target", in.arg(1)}};
    if (in.has("events")) {
        body["events"] = json::array();
        std::stringstream list(in.opt("events"));
        for (std::string e; std::getline(list, e, ',');)
            if (!e.empty()) body["events"].push_back(e);
    }
    if (in.has("secret-stdin")) body["secret"] = read_stdin_line();
    return {"PUT", "/v1/notify", std::move(body), kTargetColumns};
}

Call receive(const Invocation& in) {
    json body{{"account", in.arg(0)}};
    if (auto max = in.number("max")) body["max"] = *max;
    return {"POST", "/v1/notify/receive", std::move(body), {"receipt", "type", "dequeue_count", "message"}};
}

Call delete_messages(const Invocation& in) {
    json body{{"account", in.arg(0)},
              {"receipts", std::vector<std::string>(in.args.begin() + 1, in.args.end())}};
    return {"POST", "/v1/notify/delete", std::move(body), {"deleted", "unmatched"}};
}

} // namespace

std::span<const Command> notify_commands() {
    static const Command rows[] = {
        {{"notify", "set"},
         "ACCOUNT queue|URL [--address ADDRESS] [--events TYPE,..] [--secret-stdin]",
         set_target},
        {{"notify", "list"},
         "[ACCOUNT]",
         [](const Invocation& in) {
             return Call{"GET", "/v1/notify" + in.account_filter(), nullptr, kTargetColumns};
         }},
        {{"notify", "clear"},
         "ACCOUNT [--address ADDRESS]",
         [](const Invocation& in) {
             return Call{"DELETE",
                         "/v1/notify?account=" + in.encoded(0) + "&address=" + url_encode(in.opt("address")),
                         nullptr,
                         {"deleted"}};
         }},
        {{"notify", "receive"}, "ACCOUNT [--max N]", receive},
        {{"notify", "delete"}, "ACCOUNT RECEIPT..", delete_messages},
        {{"notify", "size"},
         "ACCOUNT",
         [](const Invocation& in) {
             return Call{
                 "GET", "/v1/notify/queue?account=" + in.encoded(0), nullptr, {"account", "messages"}};
         }},
    };
    return rows;
}

} // namespace mailpush::ctl
