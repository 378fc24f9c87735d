// Durable delivery state (SQLite, WAL, synchronous=FULL): each recipient's state, every
// attempt, the final event strings, hard-bounce counts for the invalid-address library, and the
// tracked messages' links and hits (written by the tracking recorder, which has its own connection).
// Blocking: the engine calls it from one worker thread. Trusted input (built by the engine).
#pragma once

#include "mailpush/delivery/records.hpp"
#include "mailpush/delivery/report.hpp"
#include "mailpush/delivery/track_report.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace mailpush::delivery {

class DeliveryLog {
public:
    explicit DeliveryLog(const std::string& path);
    ~DeliveryLog();
    DeliveryLog(const DeliveryLog&) = delete;
    DeliveryLog& operator=(const DeliveryLog&) = delete;

    void apply(const std::vector<RecipientUpdate>& updates);                  // one transaction
    void set_next_attempt(std::uint64_t envid, std::int64_t next_attempt_ms); // queue retry
    // Held messages (the operator's hold): not attempted until released, across restarts.
    void set_held(std::uint64_t envid, bool held, std::int64_t now_ms);
    std::vector<std::uint64_t> held();
    void upsert_recipients(const std::vector<RecipientRecord>& records); // state only, one transaction
    void
    mark_deleted(std::uint64_t envid,
                 const std::vector<std::string>& addresses); // queue delete: pending recipients become failed
    std::vector<RecipientRecord> pending();                  // queued and deferred, all messages
    std::vector<RecipientRecord> recipients(std::uint64_t envid);
    // The rows of these messages, in the order given and then by idx (one prepared lookup each).
    std::vector<RecipientRecord> recipients_of(const std::vector<std::uint64_t>& envids);
    std::vector<AttemptRecord> attempts(std::uint64_t envid);
    std::vector<std::string> events(std::uint64_t envid);
    int add_hard_bounce(const std::string& account, const std::string& address); // returns the new count
    // Forgets messages whose recipients are all final and whose last attempt ended before
    // `before_ms` (their rows, attempts and events). Returns how many messages were forgotten.
    // `keep` (if given): messages never forgotten whatever their rows say (those still queued).
    std::size_t prune(std::int64_t before_ms, const std::function<bool(std::uint64_t)>& keep = {});

    // Inbound reports (docs/inbound.md): the messages whose final events carry this Message-ID
    // (newest first, at most 16), one recipient of a message as sent, and whether `account`
    // has a final result for mail to `rcpt`. A report's effect is written with apply().
    std::vector<std::uint64_t> envids_by_message_id(const std::string& msg_id);
    std::optional<SentRecipient> sent_recipient(std::uint64_t envid, const std::string& address);
    bool had_mail(const std::string& account, const std::string& rcpt);

    // Reporting over final results (SPEC §7). Newest first; at most q.limit rows.
    std::vector<ReportRow> details(const DetailQuery& q);
    std::int64_t count_details(const DetailQuery& q);
    std::vector<StatRow> stats(const StatQuery& q);

    // Open and click tracking (docs/tracking.md). Before a tracked message is sent: marks it
    // tracked and stores its links, link n being urls[n-1] (idempotent: a message's links are
    // stored once). Tracking rows live `link_retention`, longer than the rest of the log: the
    // tracking recorder prunes them (TrackingRecorder::prune), prune() here leaves them.
    void store_links(std::uint64_t envid, const std::vector<std::string>& urls, std::int64_t now_ms);
    // The same for several messages, in one transaction (the engine's group commit of links).
    void store_links(const std::vector<MessageLinks>& messages, std::int64_t now_ms);
    // Per day of the send, oldest first; days without a tracked recipient delivered are left out.
    std::vector<TrackStatRow> track_stats(const TrackQuery& q);
    // Per link (by link number, then URL); links never clicked too. Only the account's messages.
    std::vector<LinkStatRow> link_stats(const LinkQuery& q);

private:
    void exec(const char* sql);
    sqlite3* db_ = nullptr;
    struct Statements; // apply()'s statements, compiled at its first call and kept
    std::unique_ptr<Statements> statements_;
};

} // namespace mailpush::delivery
