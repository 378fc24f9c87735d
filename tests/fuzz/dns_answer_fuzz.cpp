// The DNS answer parser (src/dns/answers.cpp) fed arbitrary response messages for each query
// type delivery and verification ask for. Invariants: a parsed MX answer with null_mx set has
// exactly one host; addresses are non-empty text; MX ordering keeps every host.
#include "fuzz_check.hpp"

#include "mailpush/dns/answers.hpp"

#include <random>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace mailpush::dns;
    for (const std::uint16_t qtype :
         {std::uint16_t{1}, std::uint16_t{28}, std::uint16_t{15}, std::uint16_t{16}, std::uint16_t{5}}) {
        const auto parsed = parse_answer(data, size, qtype);
        if (!parsed) continue;
        if (parsed->null_mx) FUZZ_CHECK(parsed->mx.size() == 1);
        for (const auto& address : parsed->addresses)
            FUZZ_CHECK(!address.empty());
        std::mt19937 rng(1);
        const auto ordered = order_mx(parsed->mx, rng);
        FUZZ_CHECK(ordered.size() == parsed->mx.size());
        for (std::size_t i = 1; i < ordered.size(); ++i)
            FUZZ_CHECK(ordered[i - 1].preference <= ordered[i].preference);
    }
    return 0;
}
