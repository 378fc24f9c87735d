#include "data_spill.hpp"

#include "mailpush/net/offload.hpp"
#include "mailpush/smtp/reply.hpp"

#include <boost/asio/post.hpp>

namespace mailpush::net {
namespace {
constexpr std::uint64_t kChargeStep = 64 * 1024;

// Not coroutines (GCC 12 and captures in coroutines: see smtp_connection.cpp).
auto open_on_pool(boost::asio::thread_pool& pool, spool::Spool& spool, smtp::Envelope envelope,
                  std::string peer_ip) {
    return offload(pool, [&spool, envelope = std::move(envelope), peer_ip = std::move(peer_ip)] {
        return spool.open_body_file(envelope, peer_ip);
    });
}

auto append_on_pool(boost::asio::thread_pool& pool, spool::BodyFile& file, std::string chunk) {
    return offload(pool, [&file, chunk = std::move(chunk)] { return file.append(chunk); });
}
} // namespace

DataSpill::DataSpill(spool::Spool& spool, boost::asio::thread_pool& files, std::string peer_ip)
    : spool_(spool)
    , files_(files)
    , peer_ip_(std::move(peer_ip))
    , charge_(spool.inflight()) {}

boost::asio::awaitable<void> DataSpill::tend(smtp::ServerSession& session, const smtp::Output& out) {
    if (session.data_started() != message_) { // a new message: nothing of the last one is kept
        reset();
        message_ = session.data_started();
    }
    if (!session.in_data()) {
        if (out.action.kind == smtp::ActionKind::commit_message ||
            out.action.kind == smtp::ActionKind::inbound_message)
            charge_.force(out.action.body.size()); // read already: at most one read past the budget
        co_return;
    }
    const auto* tx = session.transaction();
    const bool inbound = !tx || tx->auth_user.empty();
    const auto held = session.data_held();
    if (held == 0) { // nothing kept (written out, or the message refused or over the size limit)
        charge_.release();
        co_return;
    }
    using Share = spool::InflightBudget::Share;
    const bool covered = charge_.cover(held, kChargeStep, inbound ? Share::open : Share::whole);
    if (covered && held < spool::kSpillBytes) co_return;
    if (inbound) { // kept whole for its handler, within its share
        if (!covered) {
            // Past the whole open share it would never fit: a 452 would be retried forever.
            const bool never_fits = held > spool_.inflight().limit() / 2;
            session.refuse_data(never_fits ? smtp::replies::size_exceeds_limit()
                                           : smtp::replies::inflight_full());
            charge_.release();
        }
        co_return;
    }
    auto chunk = session.take_data_chunk();
    if (!file_) file_ = co_await open_on_pool(files_, spool_, *tx, peer_ip_);
    bool written = false;
    if (file_) written = co_await append_on_pool(files_, *file_, std::move(chunk));
    charge_.release(); // nothing of the message is held now
    if (!written) {
        session.refuse_data(smtp::replies::storage_error());
        reset();
    }
}

void DataSpill::hand_to(spool::CommitRequest& request, smtp::Action& action) {
    if (!action.chunked) return;
    request.spilled = std::move(file_);
    request.head = std::move(action.head);
}

void DataSpill::reset() {
    charge_.release();
    if (file_) // removing a large file is blocking I/O: on the file pool, off the event loop
        boost::asio::post(files_, [file = std::shared_ptr<spool::BodyFile>(std::move(file_))] {});
}

} // namespace mailpush::net
