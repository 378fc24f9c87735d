// The delivery engine (SPEC §4–5): schedules every queued recipient, resolves its route
// (capture directory, smarthost, MX via c-ares, or hold), delivers with the outbound SMTP
// client, classifies each result, records it durably, retries temporary failures, writes the
// final event and removes the message once every recipient is final. Talks to remote servers.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mailpush::config {
struct Config;
}
namespace mailpush::spool {
class Spool;
}
namespace mailpush::store {
class Store;
}

namespace mailpush::delivery {

class DeliveryLog;

class Engine {
public:
    // `blocking` runs SQLite and file work; the engine serialises its own use of it.
    Engine(boost::asio::io_context& io, const config::Config& cfg, spool::Spool& spool, store::Store& store,
           DeliveryLog& log, boost::asio::thread_pool& blocking);
    ~Engine();

    void start();                        // recover: every spooled message's pending recipients
    void enqueue(std::uint64_t envid);   // a message was committed (any thread)
    void retry_now(std::uint64_t envid); // deferred recipients are tried at once (any thread)
    void cancel(
        std::uint64_t envid,
        std::vector<std::string> addresses); // the operator deleted it: forget it and record why (any thread)
    void stop();                             // no new attempts

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

} // namespace mailpush::delivery
