// Bounce classification (SPEC §8, the seeds' two bounce-code tables): one ordered table of
// rules maps a delivery result (code + text) to status, failed_type and retry. Pure; the text
// is untrusted (a remote server's reply) and is only compared, never interpreted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mailpush::delivery {

// status as in the seeds' events: 0 success, 2 invalid address, 3 judged spam, 4 failure.
enum class Status : std::uint8_t { success = 0, invalid_address = 2, spam = 3, failure = 4 };

enum class Retry : std::uint8_t { no, yes, slower };

struct Classification {
    Status status = Status::failure;
    std::string failed_type; // SendOk, SmtpNxBox, SmtpContSpam, SmtpAuthFail, SmtpMfFreq,
                             // SmtpRcptFreq, SmtpTempErr, SmtpZPermErr, SysOutDnsResolveFail,
                             // SysOutInvRcpt
    Retry retry = Retry::no;
    std::string rule; // which rule matched, for the delivery log
};

// `code` is the SMTP reply code (or one of our own: 423, 427, 524, 526); `text` is the reply
// text after the code (enhanced code included, lines joined with spaces).
Classification classify(int code, std::string_view text);

// The product's own results for DNS and connection outcomes (SPEC §5), as code and text.
struct ProductReply {
    int code;
    const char* text;
};
inline constexpr ProductReply kDnsNotFound{524, "Host not found by dns resolve"};
inline constexpr ProductReply kDnsNoData{526, "No data by dns resolve"};
inline constexpr ProductReply kDnsError{423, "Dns resolve error"};
inline constexpr ProductReply kConnectFailed{427, "Socks Connect to UNREACHABLE host"};
// A queued recipient whose address entered the account's invalid-address library before its
// attempt: not contacted, final, SysOutInvRcpt (status 2), not counted as another hard bounce.
inline constexpr ProductReply kInvalidLibrary{559,
                                              "Invalid rcptto: in the account's invalid-address library"};
// A recipient the account's suppression list stopped before anything was queued: not
// contacted, final, SysOutSuppressed (status 2), never a hard bounce (docs/suppression.md).
inline constexpr ProductReply kSuppressed{558,
                                          "Suppressed: the recipient is on the account's suppression list"};

} // namespace mailpush::delivery
