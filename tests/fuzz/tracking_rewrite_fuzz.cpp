// The tracking rewriter (src/tracking: GMime, charset conversion, gumbo) fed arbitrary messages.
// The last input byte picks the options (bit 0 open pixel, bit 1 links). Invariants: analyse and
// render never throw; an untracked message renders byte for byte as it came; a tracked one
// parses again with as many HTML parts, and every byte outside those parts is the same.
#include "../../src/tracking/mime_parts.hpp" // private to the tracking module: the part ranges compared
#include "fuzz_check.hpp"

#include "mailpush/tracking/rewrite.hpp"

#include <string>

namespace {

bool same_outside_html(std::string_view a, std::string_view b) {
    using mailpush::tracking::detail::find_html_parts;
    const auto pa = find_html_parts(a), pb = find_html_parts(b);
    if (pa.parts.size() != pb.parts.size()) return false;
    std::size_t at_a = 0, at_b = 0;
    for (std::size_t i = 0; i < pa.parts.size(); ++i) {
        if (a.substr(at_a, pa.parts[i].begin - at_a) != b.substr(at_b, pb.parts[i].begin - at_b))
            return false;
        at_a = pa.parts[i].end;
        at_b = pb.parts[i].end;
    }
    return a.substr(at_a) == b.substr(at_b);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace mailpush::tracking;
    if (size == 0) return 0;
    const unsigned choice = data[size - 1];
    const std::string message(reinterpret_cast<const char*>(data), size - 1);
    TrackOptions options{(choice & 1u) != 0, (choice & 2u) != 0, {"https://mail.example.com/u/"}};
    const auto tracked = TrackedMessage::analyse(message, options);
    const auto out =
        tracked.render("http://dmtrace.example.com", [](std::uint32_t n) { return "t" + std::to_string(n); });
    if (!tracked.tracked()) {
        FUZZ_CHECK(!tracked.reason().empty());
        FUZZ_CHECK(out == message);
        return 0;
    }
    FUZZ_CHECK(tracked.reason().empty());
    FUZZ_CHECK(options.open || options.links);
    FUZZ_CHECK(options.links || tracked.links().empty());
    FUZZ_CHECK(same_outside_html(message, out));
    return 0;
}
