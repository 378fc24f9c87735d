// Classifies an inbound message with GMime (docs/adr/0008-gmime.md): the MIME structure, the
// transfer decoding of each part and the returned message's headers are GMime's; the report
// fields themselves are read by parse_field_blocks. Untrusted input; no I/O.
#include "mailpush/common/strings.hpp"
#include "mailpush/inbound/report.hpp"

#include <gmime/gmime.h>
#include <memory>
#include <mutex>

namespace mailpush::inbound {
namespace {

void init_gmime() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

struct Unref {
    void operator()(void* p) const { g_object_unref(p); }
};
template <class T>
using Ref = std::unique_ptr<T, Unref>;

GMimeMessage* parse_mime(std::string_view raw, Ref<GMimeMessage>& keep) {
    Ref<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
    Ref<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    keep.reset(g_mime_parser_construct_message(parser.get(), nullptr));
    return keep.get();
}

// A leaf part's content, transfer-decoded.
std::string part_content(GMimeObject* object) {
    if (!GMIME_IS_PART(object)) return {};
    GMimeDataWrapper* content = g_mime_part_get_content(GMIME_PART(object));
    if (!content) return {};
    Ref<GMimeStream> out(g_mime_stream_mem_new());
    if (g_mime_data_wrapper_write_to_stream(content, out.get()) < 0) return {};
    GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.get()));
    return bytes ? std::string(reinterpret_cast<const char*>(bytes->data), bytes->len) : std::string();
}

bool is_type(GMimeObject* object, const char* type, const char* subtype) {
    GMimeContentType* ct = g_mime_object_get_content_type(object);
    return ct && g_mime_content_type_is_type(ct, type, subtype);
}

std::string strip_angles(std::string_view id) {
    id = common::trim(id);
    if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
    return std::string(id);
}

// Message-ID and the first To: mailbox of the returned message (message/rfc822) or headers
// (text/rfc822-headers, parsed as a message with no body).
void read_returned(GMimeObject* part, ParsedMessage& out) {
    Ref<GMimeMessage> headers_only;
    GMimeMessage* original = nullptr;
    if (GMIME_IS_MESSAGE_PART(part)) {
        original = g_mime_message_part_get_message(GMIME_MESSAGE_PART(part));
    } else if (is_type(part, "text", "rfc822-headers")) {
        const std::string text = part_content(part) + "\r\n";
        original = parse_mime(text, headers_only);
    }
    if (!original) return;
    if (const char* id = g_mime_message_get_message_id(original)) out.original_message_id = strip_angles(id);
    InternetAddressList* to = g_mime_message_get_to(original);
    for (int i = 0; to && i < internet_address_list_length(to); ++i) {
        InternetAddress* a = internet_address_list_get_address(to, i);
        if (!INTERNET_ADDRESS_IS_MAILBOX(a)) continue;
        if (const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a))) {
            out.original_to = common::to_lower(addr);
            break;
        }
    }
}

const std::string* field(const std::vector<Field>& block, std::string_view name) {
    for (const auto& f : block)
        if (f.name == name) return &f.value;
    return nullptr;
}

std::string value_or_empty(const std::vector<Field>& block, std::string_view name) {
    const auto* v = field(block, name);
    return v ? *v : std::string();
}

// RFC 3464 §2.2 (per-message block first), §2.3 (one block per recipient).
bool read_delivery_status(const std::string& text, ParsedMessage& out) {
    const auto blocks = parse_field_blocks(text, kMaxDsnRecipients + 1);
    if (blocks.size() < 2) return false;
    out.original_envelope_id = value_or_empty(blocks[0], "original-envelope-id");
    for (std::size_t i = 1; i < blocks.size(); ++i) {
        const auto& b = blocks[i];
        DsnRecipient r;
        r.final_recipient = rfc822_address(value_or_empty(b, "final-recipient"));
        r.original_recipient = rfc822_address(value_or_empty(b, "original-recipient"));
        r.action = common::to_lower(value_or_empty(b, "action"));
        r.status = value_or_empty(b, "status");
        if (const auto sp = r.status.find_first_of(" \t("); sp != std::string::npos) r.status.resize(sp);
        std::string diag = value_or_empty(b, "diagnostic-code");
        if (const auto semi = diag.find(';'); semi != std::string::npos)
            diag = std::string(common::trim(std::string_view(diag).substr(semi + 1)));
        r.diagnostic_code = std::move(diag);
        if (r.recipient().empty() || r.action.empty() || r.status.empty()) continue; // not usable
        out.recipients.push_back(std::move(r));
    }
    return !out.recipients.empty();
}

// RFC 5965 §3.1: Feedback-Type, User-Agent and Version are required; we need only the type.
bool read_feedback_report(const std::string& text, ParsedMessage& out) {
    const auto blocks = parse_field_blocks(text, 1);
    if (blocks.empty()) return false;
    const auto& b = blocks[0];
    out.feedback_type = common::to_lower(value_or_empty(b, "feedback-type"));
    if (out.feedback_type.empty()) return false;
    out.original_mail_from = value_or_empty(b, "original-mail-from");
    out.original_rcpt_to = strip_angles(value_or_empty(b, "original-rcpt-to"));
    out.original_rcpt_to = common::to_lower(out.original_rcpt_to);
    out.arrival_date = value_or_empty(b, "arrival-date");
    out.reported_domain = value_or_empty(b, "reported-domain");
    return true;
}

ParsedMessage malformed(std::string problem) {
    ParsedMessage out;
    out.kind = Kind::malformed_report;
    out.problem = std::move(problem);
    return out;
}

} // namespace

ParsedMessage parse_message(std::string_view raw) {
    init_gmime();
    Ref<GMimeMessage> message;
    if (!parse_mime(raw, message)) return {}; // not even a header section: not a report
    GMimeObject* top = g_mime_message_get_mime_part(message.get());
    if (!top || !is_type(top, "multipart", "report")) return {};
    const char* report_type = g_mime_object_get_content_type_parameter(top, "report-type");
    const std::string type = report_type ? common::to_lower(report_type) : "";
    const bool dsn = type == "delivery-status";
    const bool arf = type == "feedback-report";
    if (!dsn && !arf) return {}; // another report (a read receipt): treated like a reply
    if (!GMIME_IS_MULTIPART(top)) return malformed("multipart/report without parts");
    GMimeMultipart* parts = GMIME_MULTIPART(top);
    const int count = g_mime_multipart_get_count(parts);
    if (count < 2) return malformed("multipart/report with fewer than two parts (no boundary?)");
    ParsedMessage out;
    bool report_read = false;
    for (int i = 0; i < count; ++i) {
        GMimeObject* part = g_mime_multipart_get_part(parts, i);
        if (dsn && is_type(part, "message", "delivery-status") && !report_read) {
            report_read = read_delivery_status(part_content(part), out);
        } else if (arf && is_type(part, "message", "feedback-report") && !report_read) {
            report_read = read_feedback_report(part_content(part), out);
        } else if (i > 0 && (GMIME_IS_MESSAGE_PART(part) || is_type(part, "text", "rfc822-headers"))) {
            read_returned(part, out);
        }
    }
    if (!report_read)
        return malformed(dsn ? "no readable message/delivery-status part"
                             : "no readable message/feedback-report part");
    out.kind = dsn ? Kind::delivery_report : Kind::feedback_report;
    return out;
}

} // namespace mailpush::inbound
