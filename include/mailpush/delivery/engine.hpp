// The delivery engine: schedules every queued recipient, resolves its route (capture directory,
// smarthost, MX via c-ares, or hold), delivers with the outbound SMTP client, classifies each
// result, records it durably, retries temporary failures, writes the final event and removes
// the message once every recipient is final. Talks to remote servers.
//
// The decisions are pure parts (Scheduler, RouteTable, decide_outcome); the engine is the shell
// that runs them on a strand and does the I/O through the interfaces in engine_ports.hpp.
#pragma once

#include "mailpush/delivery/options.hpp"
#include "mailpush/engine/ports.hpp"
#include "mailpush/store/suppression.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

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
    Engine(boost::asio::io_context& io, const EngineOptions& options, spool::Spool& spool,
           store::Store& store, DeliveryLog& log, boost::asio::thread_pool& blocking);
    // Over any backends (tests: fakes). They must outlive the engine's work.
    Engine(boost::asio::io_context& io, const EngineOptions& options, EngineBackends backends,
           boost::asio::thread_pool& blocking);
    ~Engine();

    void start();                        // recover: every spooled message's pending recipients
    void enqueue(std::uint64_t envid);   // a message was committed (any thread)
    void retry_now(std::uint64_t envid); // deferred recipients are tried at once (any thread)
    void hold(std::uint64_t envid,
              bool held); // the operator's hold or release, kept across restarts (any thread)
    void cancel(
        std::uint64_t envid,
        std::vector<std::string> addresses); // the operator deleted it: forget it and record why (any thread)
    // A recipient the suppression list stopped (SMTP RCPT refused, API skipped): its delivery
    // event, under an envid of its own, with the next group commit of results (any thread).
    void record_suppressed(store::SuppressedSend send);
    void stop(); // no new attempts
    // No attempt starts: the delivery log could not take the last results (docs/queue-format.md,
    // "A full disk"). Any thread.
    bool paused() const;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

} // namespace mailpush::delivery
