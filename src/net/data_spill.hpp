// Keeps one SMTP session's message in memory within the server's budget (`[spool]
// max_inflight_bytes`, docs/queue-format.md "Large messages"). Past spool::kSpillBytes, or when
// the budget has no more room, an authenticated message is written on to a spool::BodyFile as it
// arrives, on the file pool; an inbound message (its handler reads it whole) is refused instead
// once its open share of the budget cannot cover it. Private to the net module.
#pragma once

#include "mailpush/smtp/server_session.hpp"
#include "mailpush/spool/spool.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include <memory>
#include <string>

namespace mailpush::net {

class DataSpill {
public:
    DataSpill(spool::Spool& spool, boost::asio::thread_pool& files, std::string peer_ip);

    // After the session took input: during DATA, what it holds is covered by the budget or
    // written out; once the message has ended, the finished message is covered.
    boost::asio::awaitable<void> tend(smtp::ServerSession& session, const smtp::Output& out);
    // The commit of a chunked message: the file and the header section go with it.
    void hand_to(spool::CommitRequest& request, smtp::Action& action);
    // Bytes of the message on file (0: none).
    std::uint64_t on_file() const { return file_ ? file_->size() : 0; }
    // The transaction is over: the budget's share given back, an unused file removed.
    void reset();

private:
    spool::Spool& spool_;
    boost::asio::thread_pool& files_;
    std::string peer_ip_;
    spool::InflightCharge charge_;
    std::unique_ptr<spool::BodyFile> file_;
    std::uint64_t message_ = 0; // the session's data_started() that charge_ and file_ are for
};

} // namespace mailpush::net
