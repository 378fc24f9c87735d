// The durable message queue on disk (docs/queue-format.md). Owns its writer threads; callers
// get a callback on a writer thread once the message is committed (or failed). No Asio here.
// Trusted input only (envelopes already validated by the SMTP core); recovery reads files that
// may be damaged and verifies them.
#pragma once

#include "mailpush/smtp/commit_result.hpp"
#include "mailpush/smtp/envelope.hpp"
#include "mailpush/smtp/packed_envelope.hpp"
#include "mailpush/spool/body_file.hpp"
#include "mailpush/spool/inflight_budget.hpp"
#include "mailpush/spool/options.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace mailpush::smtp {
struct TraceInfo;
}

namespace mailpush::spool {

// What the queue index knows about a message (no body). The envelope (with the peer) is packed
// once and shared: the delivery engine's schedule holds the same one (docs/queue-format.md, "The
// index in memory"). Never null for an entry of the index.
struct QueueEntry {
    std::uint64_t envid = 0;
    std::shared_ptr<const smtp::PackedEnvelope> envelope;
    std::uint64_t size = 0;
    std::int64_t received_at_ms = 0;
    // Where the body is: segment 0 is a file of its own (queue/xx/N.msg); otherwise the body is
    // `size` bytes at `body_offset` in segments/<segment>.seg.
    std::uint32_t segment = 0;
    std::uint64_t body_offset = 0;
};

struct CommitRequest {
    smtp::Envelope envelope;
    std::string body; // the message; with `spilled`, only what follows the file's part
    std::string peer_ip;
    std::unique_ptr<BodyFile> spilled; // the message's first part, already on disk
    std::string head;                  // with `spilled`: the message's header section
};

using CommitCallback = std::function<void(smtp::CommitResult)>;

class Spool {
public:
    explicit Spool(SpoolOptions options);
    ~Spool();
    Spool(const Spool&) = delete;
    Spool& operator=(const Spool&) = delete;

    // Start-up: empties tmp/, verifies queue/, fills the index. Returns the number recovered.
    std::size_t recover();
    void start();
    void stop(); // finishes queued jobs, then joins the writers

    // Asynchronous commit; `done` runs on a writer thread after the directory fsync.
    void submit(CommitRequest request, CommitCallback done);
    // A file in tmp/ for a large message's body as it arrives (see BodyFile), with room in front
    // for this envelope's header; nullptr if it cannot be made. Blocking.
    std::unique_ptr<BodyFile> open_body_file(const smtp::Envelope& envelope, std::string_view peer_ip);
    // The budget of message bytes held in memory (`[spool] max_inflight_bytes`).
    InflightBudget& inflight() { return inflight_; }

    // Free space below the limit? Cached for a second; safe from any thread. It also tends the
    // reserve file (spool/reserve, min(32 MiB, min_free_bytes / 2); docs/queue-format.md).
    bool storage_low();
    // Gives the reserve back now (the delivery log could not write). Any thread.
    void release_reserve();
    // Whether the reserve was given back since start (logged by the caller).
    bool reserve_released() const { return reserve_released_; }

    // At most `limit` entries with envids above `after`, in envid order (a page of the index).
    std::vector<QueueEntry> list_after(std::uint64_t after, std::size_t limit) const;
    // Up to `limit` entries above `after` that `match` accepts, in envid order; `more`: another
    // one follows. The index is locked for a bounded run of entries at a time, so commits never
    // wait behind a long scan (a listing of a large queue).
    struct Page {
        std::vector<QueueEntry> entries;
        bool more = false;
    };
    Page page(std::uint64_t after, std::size_t limit,
              const std::function<bool(const QueueEntry&)>& match) const;
    // The largest envid recover() read (0: none); every later commit has a larger one.
    std::uint64_t recovered_through() const { return recovered_through_; }
    // How many damaged files recover() moved to corrupt/, and damaged spans it skipped in segments.
    std::size_t quarantined() const { return quarantined_; }
    std::size_t damaged_segment_spans() const { return damaged_spans_; }
    std::uint64_t segment_tail_bytes() const { return tail_bytes_; } // unfinished batches' bytes
    std::optional<QueueEntry> find(std::uint64_t envid) const;
    bool contains(std::uint64_t envid) const;
    std::optional<std::string> read_body(std::uint64_t envid) const;
    bool remove(std::uint64_t envid); // false: not in the index
    // One directory fsync per subdirectory for all; how many were in the index. A segment's done
    // marks are synced only when `durable` (a removal the delivery log does not record yet, as the
    // operator's delete: remove() is durable).
    std::size_t remove_many(const std::vector<std::uint64_t>& envids, bool durable = false);
    std::size_t size() const;
    // The next envid, unique for the spool's life (reserved durably in blocks): messages get
    // theirs at commit; a record with no message (a suppressed recipient's event) asks here.
    std::uint64_t allocate_envid();

private:
    struct Job {
        CommitRequest request;
        CommitCallback done;
        std::uint64_t envid = 0;
        QueueEntry entry; // filled by write_file, goes into the index on success
        std::string tmp_path;
        int fd = -1;             // open between write_file and sync_file
        bool in_segment = false; // its record is in the batch's segment bytes (body_offset relative)
        bool ok = false;
    };
    // A writer's current segment: appended to by that writer alone.
    struct OpenSegment {
        std::uint32_t number = 0;
        int fd = -1;
        std::uint64_t size = 0;
    };
    // What the spool knows of each segment on disk: messages of it still in the index, and
    // whether a writer may still append to it (an unsealed segment is never deleted).
    struct SegmentUse {
        std::size_t live = 0;
        bool sealed = false;
    };
    void writer_loop();
    void commit_batch(std::vector<Job>& batch, OpenSegment& segment);
    // Renders the job's message: small ones appended to `records`, others written to a file.
    bool write_file(Job& job, std::string& records); // a file: starts writeback, leaves job.fd open
    // Writes and syncs the records at the segment's end (a new segment when it is full or none is
    // open); where they start, or nullopt on an error (the segment is then abandoned).
    // The batch's jobs in the segment are marked done if a failed write cannot be cut off again.
    std::optional<std::uint64_t> append_to_segment(OpenSegment& segment, std::string_view records,
                                                   const std::vector<Job>& batch);
    // Appends done marks to segment `number` (if it still exists); synced when `durable`.
    // Under marks_mutex_.
    void write_marks(std::uint32_t number, const std::string& lines, bool durable);
    bool open_segment(OpenSegment& segment);
    void seal_segment(OpenSegment& segment);
    void delete_segment(std::uint32_t number);
    void recover_segments(std::uint64_t& max_envid, std::size_t& recovered);
    bool write_spilled(Job& job, const smtp::TraceInfo& trace); // write_file for a BodyFile
    bool sync_file(Job& job); // waits for the data (fdatasync) and closes job.fd
    void reserve_block(std::uint64_t end);
    std::filesystem::path message_path(std::uint64_t envid) const;

    SpoolOptions opt_;
    InflightBudget inflight_;
    std::filesystem::path tmp_dir_, queue_dir_, corrupt_dir_, segment_dir_;
    int queue_dir_fd_ = -1;
    int segment_dir_fd_ = -1;
    std::atomic<std::uint32_t> next_segment_{1};

    std::mutex jobs_mutex_;
    std::condition_variable jobs_cv_;
    std::deque<Job> jobs_;
    bool stopping_ = false;
    std::vector<std::thread> writers_;

    std::mutex envid_mutex_;
    std::uint64_t next_envid_ = 0;
    std::uint64_t reserved_end_ = 0;
    std::uint64_t recovered_through_ = 0;
    std::size_t quarantined_ = 0;
    std::size_t damaged_spans_ = 0;
    std::uint64_t tail_bytes_ = 0;

    mutable std::mutex index_mutex_;
    std::map<std::uint64_t, QueueEntry> index_;
    std::map<std::uint32_t, SegmentUse> segments_; // under index_mutex_
    // Orders the writing of done marks against the deletion of their segment (no orphan marks).
    std::mutex marks_mutex_;

    std::optional<std::uint64_t> free_space() const;
    void tend_reserve(std::uint64_t free_bytes); // under reserve_mutex_ (or in the constructor)
    std::uint64_t reserve_size() const;
    std::mutex reserve_mutex_;
    std::atomic<bool> reserve_released_{false};
    bool at_start_ = false; // tend_reserve called by the constructor
    std::atomic<bool> low_{false};
    std::atomic<std::int64_t> low_checked_ms_{0};
};

// Serialisation of one queue file (exposed for tests and recovery).
std::string encode_queue_file(const QueueEntry& entry, std::string_view body);
// The file's first line and header for `entry` (its size the body's); padded_to > 0: exactly
// that long (the header's length in 20 digits, the JSON padded with spaces), or "" if it cannot
// fit. The trailer follows the body.
std::string queue_file_head(const QueueEntry& entry, std::size_t padded_to);
std::string_view queue_file_trailer();
std::optional<std::pair<QueueEntry, std::string>> decode_queue_file(std::string_view file);
// The same checks from the file's first line and header, its size and its trailer, without
// reading the body (recovery of a large queue).
std::optional<QueueEntry> read_queue_entry(int fd);
// read_queue_entry in two steps: the checked header's JSON (I/O), then its parse (CPU).
struct QueueHeader {
    std::string json;
    std::uint64_t body_len = 0;
};
std::optional<QueueHeader> read_queue_header(int fd);
std::optional<QueueEntry> parse_queue_header(const QueueHeader& header);
// A queue file's header checked in memory (first line, lengths, trailer) without its parse;
// `body_at`: where the body starts in `file`.
std::optional<QueueHeader> split_queue_file(std::string_view file, std::size_t& body_at);
// A queue file's body read into one string of its size (the envelope is not parsed); nullopt
// when the file is damaged.
std::optional<std::string> read_queue_body(int fd);
// Where a message's file lives under the queue directory: "xx/N.msg", xx the hex of
// (envid / 256) % 256, so consecutive envids (one group commit) share a directory.
std::string queue_file_name(std::uint64_t envid);

} // namespace mailpush::spool
