// Address parsing (MAIL/RCPT path arguments, mailboxes, xtext) and SASL PLAIN/LOGIN with their
// strict base64, fed arbitrary bytes. Invariants: base64 round-trips both ways; a valid mailbox
// splits into a non-empty local part and domain; decoded credentials carry no NUL.
#include "fuzz_check.hpp"

#include "mailpush/common/base64.hpp"
#include "mailpush/smtp/command.hpp"
#include "mailpush/smtp/sasl.hpp"

#include <fuzzer/FuzzedDataProvider.h>

namespace {
using namespace mailpush;

void check_base64(std::string_view text) {
    if (const auto decoded = common::base64_decode(text)) // strict: only the canonical form decodes
        FUZZ_CHECK(common::base64_encode(*decoded) == text);
    FUZZ_CHECK(common::base64_decode(common::base64_encode(text)) == std::string(text));
}

void check_sasl(std::string_view text) {
    const auto plain = smtp::decode_plain(text);
    if (plain.credentials) {
        FUZZ_CHECK(plain.credentials->username.find('\0') == std::string::npos);
        FUZZ_CHECK(plain.credentials->password.find('\0') == std::string::npos);
    }
    bool bad_base64 = false;
    if (const auto field = smtp::decode_login_field(text, bad_base64))
        FUZZ_CHECK(field->find('\0') == std::string::npos);
}

void check_addresses(std::string_view text, bool utf8) {
    for (const std::string_view keyword : {"FROM", "TO"})
        (void)smtp::parse_path_argument(text, keyword); // the session checks the mailbox itself
    if (smtp::is_valid_mailbox(text, utf8)) {
        const auto [local, domain] = smtp::split_address(text);
        FUZZ_CHECK(!local.empty() && !domain.empty());
        FUZZ_CHECK(smtp::same_mailbox(text, smtp::mailbox_key(text)));
        if (!utf8) FUZZ_CHECK(smtp::is_ascii(text));
    }
    (void)smtp::is_valid_xtext(text);
    (void)smtp::parse_command(text);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const bool utf8 = in.ConsumeBool();
    const std::string text = in.ConsumeRemainingBytesAsString();
    check_base64(text);
    check_sasl(text);
    check_addresses(text, utf8);
    return 0;
}
