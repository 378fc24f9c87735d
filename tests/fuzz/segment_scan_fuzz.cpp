// Recovery's reading of segment files and queue files (src/spool/segment.cpp, queue_file.cpp) fed
// arbitrary bytes, as a damaged disk could hold. Invariants: the records found are in order,
// inside the data and apart, each one exactly what append_segment_record writes for its bytes;
// a record's queue file either splits within its bounds or is refused; done marks parse.
#include "fuzz_check.hpp"

#include "mailpush/spool/segment.hpp"
#include "mailpush/spool/spool.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace mailpush::spool;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const auto scan = scan_segment(bytes);
    std::uint64_t end = 0;
    for (const auto& r : scan.records) {
        FUZZ_CHECK(r.offset >= end && r.offset + r.file.size() <= size);
        FUZZ_CHECK(r.file.data() == bytes.data() + r.offset);
        std::string again;
        const auto at = append_segment_record(again, r.file);
        FUZZ_CHECK(at <= r.offset - end && bytes.substr(r.offset - at, again.size()) == again);
        end = r.offset + r.file.size();
        std::size_t body_at = 0;
        if (const auto header = split_queue_file(r.file, body_at)) {
            FUZZ_CHECK(body_at + header->body_len <= r.file.size());
            (void)parse_queue_header(*header);
        }
    }
    FUZZ_CHECK(scan.tail_bytes <= size - end);
    if (const auto decoded = decode_queue_file(bytes)) FUZZ_CHECK(decoded->second.size() < size);
    (void)parse_done_marks(bytes);
    return 0;
}
