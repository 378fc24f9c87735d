// TrackedMessage::analyse: finds the HTML parts (GMime), decodes each (transfer encoding, then
// charset to UTF-8), finds the links and the pixel's place (gumbo), and keeps the text between
// them converted back, after checking that the conversion gives back the part's bytes exactly.
// Untrusted input; nothing here throws on a bad message (only std::bad_alloc escapes).
#include "charset.hpp"
#include "html_links.hpp"
#include "mime_parts.hpp"
#include "tracked_part.hpp"
#include "transfer.hpp"

#include <algorithm>
#include <map>
#include <optional>

namespace mailpush::tracking {
namespace {

using detail::TransferEncoding;
using Part = TrackedMessage::Part;

// Every character render may put into a part: a charset that does not write them as ASCII
// (UTF-16, UTF-7, ISO-2022 shifts, Shift_JIS's backslash...) is not rewritten.
constexpr std::string_view kInsertedCharacters =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    "-._:/?=@%+,;!$()*<>\"' \r\n";

struct Edit {
    std::size_t begin = 0, end = 0;
    Part::Insert insert;
};

Part::Lines lines_of(std::string_view s) {
    Part::Lines l;
    const auto first = s.find('\n');
    l.newline = first != std::string_view::npos;
    auto length = [](std::string_view line) {
        return !line.empty() && line.back() == '\r' ? line.size() - 1 : line.size();
    };
    l.first = length(s.substr(0, l.newline ? first : s.size()));
    l.last = l.newline ? s.size() - s.rfind('\n') - 1 : l.first;
    return l;
}

struct LinkNumbers {
    std::vector<std::string>& links;
    std::map<std::string, std::uint32_t> numbers;
    std::uint32_t number(const std::string& url) {
        auto [it, added] = numbers.try_emplace(url, static_cast<std::uint32_t>(links.size() + 1));
        if (added) links.push_back(url);
        return it->second;
    }
};

std::vector<Edit> edits_of(const detail::HtmlScan& scan, const TrackOptions& options, LinkNumbers& numbers) {
    std::vector<Edit> edits;
    if (options.links)
        for (const auto& site : scan.links)
            edits.push_back({site.begin, site.end, {numbers.number(site.url), site.quote}});
    if (options.open) edits.push_back({scan.pixel_at, scan.pixel_at, {0, 0}});
    std::stable_sort(edits.begin(), edits.end(),
                     [](const Edit& a, const Edit& b) { return a.begin < b.begin; });
    return edits;
}

// The part in its own charset, cut at the edits; "" reason when it converts back exactly.
std::string cut(const std::string& utf8, const std::vector<Edit>& edits, const std::string& charset,
                const std::string& decoded, std::vector<std::string>& segments) {
    std::string rebuilt;
    std::size_t at = 0;
    for (std::size_t i = 0; i <= edits.size(); ++i) {
        const std::size_t stop = i < edits.size() ? edits[i].begin : utf8.size();
        auto segment = detail::from_utf8(std::string_view(utf8).substr(at, stop - at), charset);
        if (!segment) return "the HTML part does not convert back to " + charset;
        rebuilt += *segment;
        segments.push_back(std::move(*segment));
        if (i == edits.size()) break;
        const auto original = detail::from_utf8(
            std::string_view(utf8).substr(edits[i].begin, edits[i].end - edits[i].begin), charset);
        if (!original) return "the HTML part does not convert back to " + charset;
        rebuilt += *original;
        at = edits[i].end;
    }
    if (rebuilt != decoded) return "the HTML part does not round-trip through " + charset;
    return {};
}

void encode_segments(Part& part, std::string_view raw) {
    if (part.encoding == TransferEncoding::quoted_printable) {
        for (std::size_t i = 0; i < part.segments.size(); ++i) {
            std::string encoded;
            const bool mid_line = detail::encode_quoted_printable(part.segments[i], encoded);
            if (mid_line && i + 1 < part.segments.size()) encoded += "=\r\n";
            part.segments[i] = std::move(encoded);
        }
    } else if (part.encoding == TransferEncoding::base64) {
        part.trailing_crlf = raw.size() >= 2 && raw.substr(raw.size() - 2) == "\r\n";
    } else {
        for (const auto& s : part.segments)
            part.lines.push_back(lines_of(s));
    }
}

// nullopt with `reason` set: the message stays untracked; a Part without inserts: unchanged.
std::optional<Part> build_part(std::string_view message, const detail::HtmlPart& where,
                               const TrackOptions& options, LinkNumbers& numbers, std::string& reason) {
    const auto raw = message.substr(where.begin, where.end - where.begin);
    Part part;
    part.encoding = where.encoding;
    // An empty part shares its line end with the boundary after it: nothing can go in between.
    if (raw.empty()) return part;
    const std::string decoded = detail::decode_transfer(raw, where.encoding);
    const std::string charset = detail::decoding_charset(where.charset);
    const auto utf8 = detail::to_utf8(decoded, charset);
    if (!utf8) {
        reason = where.charset.empty()
                     ? "an HTML part without a charset is not UTF-8"
                     : "an HTML part is not valid " + charset + " (or the charset is unknown)";
        return std::nullopt;
    }
    const auto edits = edits_of(detail::scan_html(*utf8, options.keep_prefixes), options, numbers);
    if (edits.empty()) return part;
    if (const auto probe = detail::from_utf8(kInsertedCharacters, charset);
        !probe || *probe != kInsertedCharacters) {
        reason = "the charset " + charset + " does not write ASCII as ASCII";
        return std::nullopt;
    }
    reason = cut(*utf8, edits, charset, decoded, part.segments);
    if (!reason.empty()) return std::nullopt;
    for (const auto& e : edits)
        part.inserts.push_back(e.insert);
    encode_segments(part, raw);
    return part;
}

} // namespace

TrackedMessage::TrackedMessage() = default;
TrackedMessage::TrackedMessage(TrackedMessage&&) noexcept = default;
TrackedMessage& TrackedMessage::operator=(TrackedMessage&&) noexcept = default;
TrackedMessage::TrackedMessage(const TrackedMessage&) = default;
TrackedMessage& TrackedMessage::operator=(const TrackedMessage&) = default;
TrackedMessage::~TrackedMessage() = default;

TrackedMessage TrackedMessage::analyse(std::string message, const TrackOptions& options) {
    TrackedMessage t;
    t.message_ = std::move(message);
    t.open_ = options.open;
    auto untracked = [&t](std::string why) {
        t.tracked_ = false;
        t.reason_ = std::move(why);
        t.links_.clear();
        t.parts_.clear();
        t.pieces_ = {Piece{0, t.message_.size(), -1}};
        return std::move(t);
    };
    if (!options.open && !options.links) return untracked("tracking not asked for");
    auto scan = detail::find_html_parts(t.message_);
    if (!scan.reason.empty()) return untracked(std::move(scan.reason));
    LinkNumbers numbers{t.links_, {}};
    std::size_t at = 0;
    for (const auto& where : scan.parts) {
        std::string reason;
        auto part = build_part(t.message_, where, options, numbers, reason);
        if (!part) return untracked(std::move(reason));
        if (part->inserts.empty()) continue; // nothing to change in this part
        t.pieces_.push_back(Piece{at, where.begin, -1});
        t.pieces_.push_back(Piece{0, 0, static_cast<int>(t.parts_.size())});
        t.parts_.push_back(std::move(*part));
        at = where.end;
    }
    if (t.parts_.empty()) return untracked("no http(s) link to track");
    t.pieces_.push_back(Piece{at, t.message_.size(), -1});
    t.tracked_ = true;
    return t;
}

} // namespace mailpush::tracking
