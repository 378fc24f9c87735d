// stats and details: an account's delivery reports, /v1/stats and /v1/details; stats track and
// stats links: its tracking statistics, /v1/stats/track and /v1/stats/links.
#include "command.hpp"
#include "http_client.hpp"

namespace mailpush::ctl {
namespace {

// The options pass through as query parameters; --address is the sender.
std::string report_query(const Invocation& in) {
    std::string q = "?account=" + in.encoded(0);
    for (const char* o : {"from", "to", "tag", "rcpt", "status", "limit", "by"})
        if (in.has(o)) q += std::string("&") + o + "=" + url_encode(in.opt(o));
    if (in.has("address")) q += "&sender=" + url_encode(in.opt("address"));
    return q;
}

// stats track: --from/--to/--tag/--address pass through (the API's `address` is the sender).
std::string track_query(const Invocation& in) {
    std::string q = "?account=" + in.encoded(0);
    for (const char* o : {"from", "to", "tag", "address"})
        if (in.has(o)) q += std::string("&") + o + "=" + url_encode(in.opt(o));
    return q;
}

} // namespace

std::span<const Command> report_commands() {
    static const Command rows[] = {
        {{"stats"},
         "ACCOUNT [--from DATE] [--to DATE] [--by day|sender|tag] [--address A] [--tag T]",
         [](const Invocation& in) {
             return Call{"GET",
                         "/v1/stats" + report_query(in),
                         nullptr,
                         {"key", "total", "success", "failed", "invalid", "success_rate", "invalid_rate"}};
         }},
        {{"stats", "track"},
         "ACCOUNT [--from DATE] [--to DATE] [--address A] [--tag T]",
         [](const Invocation& in) {
             return Call{"GET",
                         "/v1/stats/track" + track_query(in),
                         nullptr,
                         {"day", "sent", "opens", "opens_machine", "unique_opens", "unique_opens_rate",
                          "clicks", "clicks_machine", "unique_clicks", "unique_clicks_rate"}};
         }},
        {{"stats", "links"},
         "ACCOUNT (--envid N | --tag T)",
         [](const Invocation& in) {
             if (in.has("envid") == in.has("tag")) throw UsageError{"give --envid N or --tag T"};
             const std::string which = in.has("envid") ? "&envid=" + url_encode(in.opt("envid"))
                                                       : "&tag=" + url_encode(in.opt("tag"));
             return Call{"GET",
                         "/v1/stats/links?account=" + in.encoded(0) + which,
                         nullptr,
                         {"link", "url", "clicks", "unique_clicks", "machine_clicks"}};
         }},
        {{"details"},
         "ACCOUNT [--from DATE[ HH:MM]] [--to ..] [--address A] [--rcpt R] [--tag T] [--status 0|2|3|4] "
         "[--limit N]",
         [](const Invocation& in) {
             return Call{"GET",
                         "/v1/details" + report_query(in),
                         nullptr,
                         {"env_id", "sender", "rcpt", "tag", "status", "failed_type", "reply"}};
         }},
    };
    return rows;
}

} // namespace mailpush::ctl
