#include "mailpush/api/dns_check.hpp"

#include "mailpush/dns/resolver.hpp"
#include "mailpush/verification/dns_answers.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

namespace mailpush::api {
namespace asio = boost::asio;

namespace {
asio::awaitable<std::vector<store::DnsRecordCheck>> lookup_all(dns::Resolver& resolver,
                                                               std::vector<store::DnsRecordCheck> checks) {
    for (auto& c : checks) {
        const std::string host = c.host;
        if (c.type == "TXT") {
            const dns::TextResolution r = co_await resolver.resolve_txt(host);
            verification::judge_record(c, r.outcome, r.records);
        } else if (c.type == "CNAME") {
            const dns::TextResolution r = co_await resolver.resolve_cname(host);
            verification::judge_record(c, r.outcome, r.records);
        } else if (c.type == "MX") {
            const dns::MxResolution r = co_await resolver.resolve_mx(host);
            std::vector<std::string> names;
            for (const auto& h : r.hosts)
                names.push_back(h.name);
            // An implicit MX (the domain's own address) is not a published MX record.
            verification::judge_record(c, r.implicit_mx ? dns::Outcome::nodata : r.outcome,
                                       r.implicit_mx ? std::vector<std::string>{} : names);
        }
    }
    co_return checks;
}
} // namespace

std::vector<store::DnsRecordCheck> check_records(asio::io_context& io, dns::Resolver& resolver,
                                                 std::vector<store::DnsRecordCheck> checks,
                                                 std::chrono::seconds timeout) {
    // Passed as a named lvalue: GCC 12 mishandles temporaries given to coroutine parameters.
    auto future = asio::co_spawn(io, lookup_all(resolver, checks), asio::use_future);
    if (future.wait_for(timeout) != std::future_status::ready) {
        for (auto& c : checks)
            c.status = "error";
        return checks;
    }
    return future.get();
}

} // namespace mailpush::api
