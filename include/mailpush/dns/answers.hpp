// DNS answer parsing and MX ordering for delivery (RFC 5321 §5.1, RFC 7505). Pure: the parser
// reads untrusted bytes from a DNS server and bounds every read by the message length.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace mailpush::dns {

enum class Outcome { ok, nxdomain, nodata, temporary, null_mx };

struct MxHost {
    std::string name;
    std::uint16_t preference = 0;
};

struct ParsedAnswer {
    std::vector<MxHost> mx;             // MX answers (type 15)
    std::vector<std::string> addresses; // A/AAAA answers, as text
    std::vector<std::string> texts;     // TXT answers (strings joined) or CNAME targets
    std::uint32_t min_ttl = 0;          // smallest TTL among the answers used
    bool null_mx = false;               // a single MX with preference 0 and the root as exchange
};

// Parses a DNS response message for `qtype` (1 A, 28 AAAA, 15 MX, 16 TXT, 5 CNAME). nullopt if
// malformed.
std::optional<ParsedAnswer> parse_answer(const unsigned char* msg, std::size_t len, std::uint16_t qtype);

// Sorts by preference and shuffles hosts of equal preference (RFC 5321 §5.1).
std::vector<MxHost> order_mx(std::vector<MxHost> hosts, std::mt19937& rng);

} // namespace mailpush::dns
