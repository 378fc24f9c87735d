// The I/O around inbound mail (docs/inbound.md): looks up the facts the pure decision needs
// (directory, delivery log), carries the decision out (events, hard bounces, suppression, the
// forwarded copy in the spool) and answers the session only once that is durable.
#pragma once

#include "mailpush/delivery/delivery_log.hpp"
#include "mailpush/net/smtp_server.hpp"

#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace mailpush::spool {
class Spool;
}
namespace mailpush::store {
class Store;
}

namespace mailpush::app {

struct InboundOptions {
    std::string hostname;               // [server] hostname: our Message-IDs end in @hostname
    int event_utc_offset_minutes = 480; // [delivery]
    unsigned invalid_address_threshold = 2;
};

class InboundHandler {
public:
    // Opens its own connection to delivery.db; runs every message on one strand of `pool`.
    InboundHandler(store::Store& store, spool::Spool& spool, const std::string& delivery_db,
                   boost::asio::thread_pool& pool, std::function<void(std::uint64_t)> on_committed,
                   InboundOptions options);
    void handle(net::InboundMessage message, net::InboundDone done);

private:
    void process(net::InboundMessage& message, net::InboundDone& done);
    void forward(net::InboundMessage& message, const std::string& to, net::InboundDone& done,
                 const std::string& kind);

    store::Store& store_;
    spool::Spool& spool_;
    delivery::DeliveryLog log_;
    boost::asio::strand<boost::asio::thread_pool::executor_type> strand_;
    std::function<void(std::uint64_t)> on_committed_;
    InboundOptions options_;
};

} // namespace mailpush::app
