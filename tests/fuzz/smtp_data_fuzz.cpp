// The DATA reader fed arbitrary bytes, once whole and once in chunks the fuzz bytes choose: both
// must agree (end, size, flags, body), the end is found only at <CRLF>.<CRLF>, and an accepted
// body without bare newlines is a sequence of CRLF-terminated lines.
#include "fuzz_check.hpp"

#include "mailpush/smtp/data_reader.hpp"

#include <fuzzer/FuzzedDataProvider.h>
#include <string>
#include <vector>

namespace {
using mailpush::smtp::DataReader;

struct Result {
    std::size_t used = 0;
    bool done = false, too_big = false, bare_newline = false;
    std::size_t size = 0;
    std::string body;
};

Result read_in_pieces(std::string_view stream, const std::vector<std::size_t>& cuts, std::size_t max_bytes) {
    DataReader reader(max_bytes);
    Result r;
    std::size_t pos = 0;
    for (const auto cut : cuts) {
        if (pos >= stream.size() || reader.done()) break;
        const auto piece = stream.substr(pos, cut);
        const auto used = reader.consume(piece);
        FUZZ_CHECK(used <= piece.size());
        FUZZ_CHECK(used == piece.size() || reader.done()); // it stops early only at the end
        pos += used;
    }
    if (!reader.done() && pos < stream.size()) pos += reader.consume(stream.substr(pos));
    r.used = pos;
    r.done = reader.done();
    r.too_big = reader.too_big();
    r.bare_newline = reader.bare_newline();
    r.size = reader.size();
    r.body = reader.take_body();
    return r;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const auto max_bytes = in.ConsumeIntegralInRange<std::size_t>(0, 8192);
    std::vector<std::size_t> cuts;
    const auto ncuts = in.ConsumeIntegralInRange<std::size_t>(0, 32);
    for (std::size_t i = 0; i < ncuts; ++i)
        cuts.push_back(in.ConsumeIntegralInRange<std::size_t>(0, 512));
    const std::string stream = in.ConsumeRemainingBytesAsString();

    const Result whole = read_in_pieces(stream, {}, max_bytes);
    const Result pieces = read_in_pieces(stream, cuts, max_bytes);
    FUZZ_CHECK(whole.used == pieces.used && whole.done == pieces.done && whole.too_big == pieces.too_big);
    FUZZ_CHECK(whole.bare_newline == pieces.bare_newline && whole.size == pieces.size);
    FUZZ_CHECK(whole.body == pieces.body);

    if (whole.done) {
        // The terminator is the last thing consumed, preceded by CRLF or at the very start.
        const std::string_view used(stream.data(), whole.used);
        FUZZ_CHECK(used.ends_with(".\r\n"));
        FUZZ_CHECK(used.size() == 3 || used.substr(0, used.size() - 3).ends_with("\r\n"));
    }
    if (whole.too_big) FUZZ_CHECK(whole.body.empty() && whole.size > max_bytes);
    if (!whole.too_big) FUZZ_CHECK(whole.body.size() == whole.size && whole.size <= max_bytes);
    if (whole.done && !whole.too_big && !whole.bare_newline) {
        for (std::size_t i = 0; i < whole.body.size(); ++i) {
            if (whole.body[i] == '\n') FUZZ_CHECK(i > 0 && whole.body[i - 1] == '\r');
            if (whole.body[i] == '\r') FUZZ_CHECK(i + 1 < whole.body.size() && whole.body[i + 1] == '\n');
        }
        FUZZ_CHECK(whole.body.empty() || whole.body.ends_with("\r\n"));
    }
    return 0;
}
