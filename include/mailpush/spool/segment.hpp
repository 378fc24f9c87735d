// Segment files: small messages' queue-file forms appended one after another, so a group commit
// is one write and one fdatasync instead of a file per message (docs/queue-format.md). Pure:
// encoding and scanning of bytes; the spool does the I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::spool {

// A message whose queue-file form is larger than this gets a file of its own.
inline constexpr std::size_t kMaxSegmentRecord = 1024 * 1024;
// A writer starts a new segment once its current one holds this much.
inline constexpr std::uint64_t kSegmentBytes = 8ULL * 1024 * 1024;

// Appends one record to `out`: "MPR1 <length> <crc32, 8 hex digits>\n" and the queue file's
// bytes. Returns the offset in `out` where the queue file's bytes start.
std::size_t append_segment_record(std::string& out, std::string_view queue_file);

struct SegmentRecord {
    std::uint64_t offset = 0; // where the record's queue-file bytes start in the segment
    std::string_view file;    // those bytes (a view into the scanned data)
};
struct SegmentScan {
    std::vector<SegmentRecord> records;
    // Damaged spans skipped between valid records (bytes that fail their checksum, cut short
    // or overwritten) — not counting an incomplete tail after the last valid record.
    std::size_t damaged_spans = 0;
    // Bytes after the last valid record: a batch cut short by a stop before its sync.
    std::size_t tail_bytes = 0;
};
// Every record of `data` whose checksum holds, in order. After a bad record the scan looks for
// the next record header, so one damaged record does not hide the ones after it; an unfinished
// tail (a batch that was never synced) is ignored.
SegmentScan scan_segment(std::string_view data);

// "N.seg" and "N.done" (the envids removed from segment N, one per line) for segment number N.
std::string segment_file_name(std::uint32_t number);
std::string segment_done_name(std::uint32_t number);
// The envids listed in a done file's text; an unfinished last line is ignored.
std::vector<std::uint64_t> parse_done_marks(std::string_view text);

} // namespace mailpush::spool
