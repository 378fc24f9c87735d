// DNS for delivery through c-ares, driven by the Asio loop: c-ares' sockets are watched with
// stream_descriptor::async_wait and its timeouts with a timer, so no lookup ever blocks a
// thread (SPEC §5). Answers are cached for their TTL. One instance per executor; callers may
// co_await from any coroutine (work is dispatched onto the resolver's strand).
// Talks to DNS servers (untrusted answers, parsed by answers.cpp).
#pragma once

#include "mailpush/dns/answers.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace mailpush::dns {

struct MxResolution {
    Outcome outcome = Outcome::temporary;
    std::vector<MxHost> hosts; // ordered: preference, equal ones shuffled
    bool implicit_mx = false;  // no MX: the domain itself (RFC 5321 §5.1)
};

struct AddressResolution {
    Outcome outcome = Outcome::temporary;
    std::vector<std::string> addresses; // IPv4 first, then IPv6
};

struct TextResolution {
    Outcome outcome = Outcome::temporary;
    std::vector<std::string> records; // TXT strings, or the CNAME target
};

struct ResolverOptions {
    std::vector<std::string> servers; // "127.0.0.1:5353", "[::1]:53"; empty: /etc/resolv.conf
    std::chrono::milliseconds timeout{5000};
    int tries = 2;
    std::chrono::seconds negative_ttl{60}; // cache time of NXDOMAIN / no-data answers
};

class Resolver {
public:
    // Throws std::runtime_error if c-ares cannot be initialised or a server is malformed.
    Resolver(boost::asio::any_io_executor executor, ResolverOptions options);
    ~Resolver();
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    boost::asio::awaitable<MxResolution> resolve_mx(std::string domain);
    boost::asio::awaitable<AddressResolution> resolve_addresses(std::string host);
    boost::asio::awaitable<TextResolution> resolve_txt(std::string name);
    boost::asio::awaitable<TextResolution> resolve_cname(std::string name);

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

} // namespace mailpush::dns
