// The MIME walk for tracking (GMime, docs/adr/0009-html-rewriting.md): the parser keeps the
// message as its persistent stream, so each part's content is a substream whose bounds are byte
// offsets in the message. Signed or encrypted structures are refused whole (any change would
// break them); message/rfc822 parts are attachments and are not entered. Untrusted input.
#include "mime_parts.hpp"

#include "mailpush/common/strings.hpp"

#include <gmime/gmime.h>
#include <memory>
#include <mutex>
#include <optional>

namespace mailpush::tracking::detail {
namespace {

struct Unref {
    void operator()(void* p) const { g_object_unref(p); }
};
template <class T>
using Ref = std::unique_ptr<T, Unref>;

bool is_type(GMimeObject* object, const char* type, const char* subtype) {
    GMimeContentType* ct = g_mime_object_get_content_type(object);
    return ct && g_mime_content_type_is_type(ct, type, subtype);
}

// The header as written (GMime maps an unknown encoding to "default", which must not pass as 7bit).
std::optional<TransferEncoding> transfer_encoding(GMimeObject* object) {
    const char* value = g_mime_object_get_header(object, "Content-Transfer-Encoding");
    if (!value) return TransferEncoding::seven_bit;
    static constexpr std::pair<std::string_view, TransferEncoding> kNames[] = {
        {"7bit", TransferEncoding::seven_bit}, {"8bit", TransferEncoding::eight_bit},
        {"binary", TransferEncoding::binary},  {"quoted-printable", TransferEncoding::quoted_printable},
        {"base64", TransferEncoding::base64},
    };
    const auto name = common::trim(value);
    for (const auto& [n, e] : kNames)
        if (common::iequals(name, n)) return e;
    return std::nullopt;
}

bool is_attachment(GMimeObject* object) {
    GMimeContentDisposition* d = g_mime_object_get_content_disposition(object);
    return d && g_mime_content_disposition_is_attachment(d);
}

struct Walk {
    GMimeStream* stream;
    std::size_t size;
    MimeScan scan;
    int depth = 0;
};

constexpr int kMaxDepth = 64;

void visit(GMimeObject* object, Walk& walk);

void visit_part(GMimeObject* object, Walk& walk) {
    if (!is_type(object, "text", "html") || is_attachment(object)) return;
    const auto encoding = transfer_encoding(object);
    if (!encoding) {
        walk.scan.reason = "an HTML part has an unknown Content-Transfer-Encoding";
        return;
    }
    GMimeDataWrapper* content = g_mime_part_get_content(GMIME_PART(object));
    GMimeStream* bytes = content ? g_mime_data_wrapper_get_stream(content) : nullptr;
    if (!bytes || bytes->super_stream != walk.stream || bytes->bound_start < 0 || bytes->bound_end < 0 ||
        bytes->bound_end < bytes->bound_start || static_cast<std::uint64_t>(bytes->bound_end) > walk.size) {
        walk.scan.reason = "an HTML part's position in the message is unknown";
        return;
    }
    HtmlPart part;
    part.begin = static_cast<std::size_t>(bytes->bound_start);
    part.end = static_cast<std::size_t>(bytes->bound_end);
    part.encoding = *encoding;
    if (const char* cs = g_mime_object_get_content_type_parameter(object, "charset")) part.charset = cs;
    if (!walk.scan.parts.empty() && walk.scan.parts.back().end > part.begin) {
        walk.scan.reason = "HTML parts overlap";
        return;
    }
    walk.scan.parts.push_back(std::move(part));
}

void visit(GMimeObject* object, Walk& walk) {
    if (!walk.scan.reason.empty()) return;
    if (GMIME_IS_MULTIPART_SIGNED(object) || GMIME_IS_MULTIPART_ENCRYPTED(object) ||
        GMIME_IS_APPLICATION_PKCS7_MIME(object)) {
        walk.scan.reason = "signed or encrypted message";
        return;
    }
    if (GMIME_IS_MULTIPART(object)) {
        if (++walk.depth > kMaxDepth) {
            walk.scan.reason = "MIME structure nested too deeply";
            return;
        }
        GMimeMultipart* multi = GMIME_MULTIPART(object);
        for (int i = 0; i < g_mime_multipart_get_count(multi); ++i)
            visit(g_mime_multipart_get_part(multi, i), walk);
        --walk.depth;
    } else if (GMIME_IS_PART(object)) {
        visit_part(object, walk);
    }
}

} // namespace

void init_gmime() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

MimeScan find_html_parts(std::string_view message) {
    init_gmime();
    Ref<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(message.data(), message.size()));
    Ref<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    g_mime_parser_set_persist_stream(parser.get(), TRUE);
    Ref<GMimeMessage> parsed(g_mime_parser_construct_message(parser.get(), nullptr));
    GMimeObject* top = parsed ? g_mime_message_get_mime_part(parsed.get()) : nullptr;
    if (!top) return MimeScan{{}, "no MIME body"};
    Walk walk{stream.get(), message.size(), {}};
    visit(top, walk);
    if (walk.scan.reason.empty() && walk.scan.parts.empty()) walk.scan.reason = "no HTML part";
    if (!walk.scan.reason.empty()) walk.scan.parts.clear();
    return std::move(walk.scan);
}

} // namespace mailpush::tracking::detail
