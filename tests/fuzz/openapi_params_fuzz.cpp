// OpenAPI parameter parsing: a form body or query string (common::parse_form and
// percent-decoding), the UTF-8 check every parameter passes, and the number and date parsers the
// actions apply to parameter values. Invariants: percent-encoding round-trips; valid UTF-8 has
// one code point per lead byte; decoded forms never hold more items than the input has '&'+1.
#include "fuzz_check.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/common/url.hpp"

#include <algorithm>

namespace {
using namespace mailpush::common;

std::size_t lead_bytes(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

void check_text(std::string_view text) {
    FUZZ_CHECK(percent_decode(percent_encode(text), false) == text);
    FUZZ_CHECK(percent_decode(percent_encode(text), true) == text);
    if (valid_utf8(text)) FUZZ_CHECK(utf8_length(text) == lead_bytes(text));
    (void)parse_u64(text);
    for (const int offset : {0, 480, -720})
        (void)parse_local_datetime(text, offset);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto form = parse_form(input);
    FUZZ_CHECK(form.size() <= static_cast<std::size_t>(std::count(input.begin(), input.end(), '&')) + 1);
    for (const auto& [key, value] : form) {
        check_text(key);
        check_text(value);
    }
    check_text(input);
    return 0;
}
