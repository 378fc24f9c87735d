// What an inbound message is (docs/inbound.md): an RFC 3464 delivery status notification, an
// RFC 5965 feedback (ARF) report, or anything else (a human reply), with the fields correlation
// needs. Parsing only, no I/O; the input is untrusted and may be malformed in any way.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::inbound {

enum class Kind {
    delivery_report,  // multipart/report; report-type=delivery-status, readable
    feedback_report,  // multipart/report; report-type=feedback-report, readable
    malformed_report, // says multipart/report but its report part cannot be read
    human             // anything else
};
std::string_view to_string(Kind kind);

// One per-recipient block of a delivery-status part (RFC 3464 §2.3). Addresses are the
// "rfc822;" value, lower-cased; other address types are kept empty.
struct DsnRecipient {
    std::string final_recipient;
    std::string original_recipient;
    std::string action;          // lower-case: failed, delayed, delivered, relayed, expanded
    std::string status;          // "5.1.1"
    std::string diagnostic_code; // the text after "smtp;", trimmed ("550 5.1.1 user unknown")
    // Original-Recipient if given, else Final-Recipient: the address we sent to.
    const std::string& recipient() const {
        return original_recipient.empty() ? final_recipient : original_recipient;
    }
};

struct ParsedMessage {
    Kind kind = Kind::human;
    std::string problem; // malformed_report: what could not be read
    // delivery_report
    std::string original_envelope_id;
    std::vector<DsnRecipient> recipients; // at most kMaxDsnRecipients
    // feedback_report (RFC 5965 §3.1, §3.2)
    std::string feedback_type; // lower-case: abuse, fraud, virus, other, ...
    std::string original_mail_from;
    std::string original_rcpt_to; // the bare address, lower-case
    std::string arrival_date;
    std::string reported_domain;
    // The returned message or its headers (both report kinds)
    std::string original_message_id; // without angle brackets
    std::string original_to;         // its first To: mailbox, lower-case
};

inline constexpr std::size_t kMaxDsnRecipients = 100;

ParsedMessage parse_message(std::string_view raw);

// The pieces parse_message reads by hand: "name: value" blocks separated by blank lines
// (delivery-status and feedback-report bodies), unfolded; names lower-case. Exposed for tests.
struct Field {
    std::string name;
    std::string value;
};
std::vector<std::vector<Field>> parse_field_blocks(std::string_view text, std::size_t max_blocks);
// "rfc822; User@Example.COM" -> "user@example.com"; "" for another type or an empty value.
std::string rfc822_address(std::string_view value);

} // namespace mailpush::inbound
