// Domain verification lookups (SPEC §6) through c-ares on the event loop, for callers on a
// worker thread: each record's TXT/MX/CNAME is looked up and judged by store::judge_record.
#pragma once

#include "mailpush/store/records.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <vector>

namespace mailpush::dns {
class Resolver;
}

namespace mailpush::api {

// Blocks the calling thread (never an event-loop thread) until the lookups finish or `timeout`
// passes; records still unanswered then get status "error".
std::vector<store::DnsRecordCheck> check_records(boost::asio::io_context& io, dns::Resolver& resolver,
                                                 std::vector<store::DnsRecordCheck> checks,
                                                 std::chrono::seconds timeout);

} // namespace mailpush::api
