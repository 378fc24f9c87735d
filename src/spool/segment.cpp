// Segment records and their scan (docs/queue-format.md, "Segments"). The scan reads data that
// may be cut short or damaged: every length is checked before use, every record's checksum.
#include "mailpush/spool/segment.hpp"

#include "mailpush/common/strings.hpp"

#include <boost/crc.hpp>
#include <fmt/format.h>

#include <optional>

namespace mailpush::spool {
namespace {
constexpr std::string_view kRecordMagic = "MPR1 ";
constexpr std::size_t kMaxRecordHead = 32; // "MPR1 " + 7 digits + " " + 8 hex + "\n" fits

std::uint32_t checksum(std::string_view bytes) {
    boost::crc_32_type crc;
    crc.process_bytes(bytes.data(), bytes.size());
    return crc.checksum();
}

// The record starting at `data[at]`: its head's length and the file's length, if the head parses.
struct RecordHead {
    std::size_t head_len = 0;
    std::uint64_t file_len = 0;
    std::uint32_t crc = 0;
};
std::optional<RecordHead> parse_head(std::string_view data, std::size_t at) {
    const auto rest = data.substr(at, kMaxRecordHead);
    if (!rest.starts_with(kRecordMagic)) return std::nullopt;
    const auto nl = rest.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;
    const auto fields = rest.substr(kRecordMagic.size(), nl - kRecordMagic.size());
    const auto sp = fields.find(' ');
    if (sp == std::string_view::npos || fields.size() - sp - 1 != 8) return std::nullopt;
    const auto len = common::parse_u64(fields.substr(0, sp));
    if (!len || *len == 0 || *len > kMaxSegmentRecord) return std::nullopt;
    std::uint32_t crc = 0;
    for (const char c : fields.substr(sp + 1)) {
        const int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0) return std::nullopt;
        crc = crc << 4 | static_cast<std::uint32_t>(v);
    }
    return RecordHead{nl + 1, *len, crc};
}
} // namespace

std::size_t append_segment_record(std::string& out, std::string_view queue_file) {
    out += fmt::format("{}{} {:08x}\n", kRecordMagic, queue_file.size(), checksum(queue_file));
    const std::size_t at = out.size();
    out.append(queue_file);
    return at;
}

SegmentScan scan_segment(std::string_view data) {
    SegmentScan scan;
    std::size_t at = 0, valid_end = 0;
    bool in_damage = false;
    while (at < data.size()) {
        const auto head = parse_head(data, at);
        if (head && head->file_len <= data.size() - at - head->head_len) {
            const auto file = data.substr(at + head->head_len, static_cast<std::size_t>(head->file_len));
            if (checksum(file) == head->crc) {
                if (in_damage) ++scan.damaged_spans;
                in_damage = false;
                scan.records.push_back({at + head->head_len, file});
                at += head->head_len + file.size();
                valid_end = at;
                continue;
            }
        }
        // Not a valid record here: look for the next record header after this position.
        in_damage = true;
        const auto next = data.find(kRecordMagic, at + 1);
        if (next == std::string_view::npos) {
            scan.tail_bytes = data.size() - valid_end;
            break;
        }
        at = next;
    }
    return scan;
}

std::string segment_file_name(std::uint32_t number) {
    return std::to_string(number) + ".seg";
}

std::string segment_done_name(std::uint32_t number) {
    return std::to_string(number) + ".done";
}

std::vector<std::uint64_t> parse_done_marks(std::string_view text) {
    std::vector<std::uint64_t> out;
    for (std::size_t at = 0; at < text.size();) {
        const auto nl = text.find('\n', at);
        if (nl == std::string_view::npos) break; // unfinished: written when the machine stopped
        if (const auto envid = common::parse_u64(text.substr(at, nl - at))) out.push_back(*envid);
        at = nl + 1;
    }
    return out;
}

} // namespace mailpush::spool
