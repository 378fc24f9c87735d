// mailpush-resolve: what the delivery engine's resolver sees, as JSON. For operators debugging
// a destination, and for the integration tests that check the c-ares path against a real DNS
// server on loopback.
//   mailpush-resolve [--server IP:PORT]... [--timeout 2s] mx DOMAIN
//   mailpush-resolve [--server IP:PORT]... [--timeout 2s] addr HOST
#include "mailpush/common/strings.hpp"
#include "mailpush/dns/resolver.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

namespace {
using namespace mailpush;

const char* outcome_name(dns::Outcome o) {
    switch (o) {
    case dns::Outcome::ok:
        return "ok";
    case dns::Outcome::nxdomain:
        return "nxdomain";
    case dns::Outcome::nodata:
        return "nodata";
    case dns::Outcome::temporary:
        return "temporary";
    case dns::Outcome::null_mx:
        return "null_mx";
    }
    return "?";
}

boost::asio::awaitable<nlohmann::json> lookup(dns::Resolver& r, std::string kind, std::string name) {
    nlohmann::json out;
    if (kind == "addr") {
        const auto a = co_await r.resolve_addresses(name);
        out = {{"outcome", outcome_name(a.outcome)}, {"addresses", a.addresses}};
        co_return out;
    }
    const auto mx = co_await r.resolve_mx(name);
    out = {{"outcome", outcome_name(mx.outcome)},
           {"implicit_mx", mx.implicit_mx},
           {"hosts", nlohmann::json::array()}};
    for (const auto& h : mx.hosts) {
        const auto a = co_await r.resolve_addresses(h.name);
        out["hosts"].push_back({{"name", h.name},
                                {"preference", h.preference},
                                {"outcome", outcome_name(a.outcome)},
                                {"addresses", a.addresses}});
    }
    co_return out;
}
} // namespace

int main(int argc, char** argv) {
    dns::ResolverOptions opts;
    std::vector<std::string> rest;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--server" && i + 1 < argc)
            opts.servers.emplace_back(argv[++i]);
        else if (a == "--timeout" && i + 1 < argc) {
            const auto d = common::parse_duration(argv[++i]);
            if (!d) {
                std::cerr << "mailpush-resolve: --timeout takes a duration such as 2s\n";
                return 2;
            }
            opts.timeout = *d;
        } else
            rest.push_back(a);
    }
    if (rest.size() != 2 || (rest[0] != "mx" && rest[0] != "addr")) {
        std::cerr << "usage: mailpush-resolve [--server IP:PORT]... [--timeout 2s] mx DOMAIN | addr HOST\n";
        return 2;
    }
    opts.tries = 1;
    boost::asio::io_context io;
    try {
        dns::Resolver resolver(io.get_executor(), opts);
        nlohmann::json result;
        boost::asio::co_spawn(io, lookup(resolver, rest[0], rest[1]),
                              [&](std::exception_ptr e, nlohmann::json j) {
                                  if (e) std::rethrow_exception(e);
                                  result = std::move(j);
                              });
        io.run();
        std::cout << result.dump() << "\n";
    } catch (const std::exception& e) {
        std::cerr << "mailpush-resolve: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
