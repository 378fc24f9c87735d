// The receiver-list upload parser (CSV with RFC 4180 quoting, or TXT) fed arbitrary bytes.
// Invariants: one line number per row, line numbers rising and within the upload, rows never
// more than the limit.
#include "fuzz_check.hpp"

#include "mailpush/openapi/receiver_upload.hpp"

#include <algorithm>
#include <fuzzer/FuzzedDataProvider.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const auto max_rows = in.ConsumeIntegralInRange<std::size_t>(0, 64);
    const std::string text = in.ConsumeRemainingBytesAsString();
    const auto parsed = mailpush::openapi::parse_receiver_upload(text, max_rows);
    FUZZ_CHECK(parsed.rows.size() == parsed.lines.size());
    FUZZ_CHECK(parsed.rows.size() <= max_rows);
    const auto newlines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
    for (std::size_t i = 0; i < parsed.lines.size(); ++i) {
        FUZZ_CHECK(parsed.lines[i] >= 1 && parsed.lines[i] <= newlines + 1);
        if (i > 0) FUZZ_CHECK(parsed.lines[i - 1] < parsed.lines[i]);
    }
    for (const auto& error : parsed.errors)
        FUZZ_CHECK(error.line >= 1 && error.line <= newlines + 1);
    return 0;
}
