// The inbound classifier (src/inbound: GMime and the report field reader) fed arbitrary messages.
// Invariants: the recipient blocks stay bounded and each names an address, an action and a
// status; a malformed report says why; the decision on what was read never crashes and answers
// with a reply.
#include "fuzz_check.hpp"

#include "mailpush/inbound/decision.hpp"

#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace mailpush::inbound;
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    const auto parsed = parse_message(raw);
    FUZZ_CHECK(parsed.recipients.size() <= kMaxDsnRecipients);
    for (const auto& r : parsed.recipients)
        FUZZ_CHECK(!r.recipient().empty() && !r.action.empty() && !r.status.empty());
    if (parsed.kind == Kind::malformed_report) FUZZ_CHECK(!parsed.problem.empty());
    InboundFacts facts{parsed, "sender@example.com", "acct", "", false, {}, false, 0, 480};
    facts.originals.resize(reported_recipients(parsed).size());
    const auto decision = decide(facts);
    FUZZ_CHECK(decision.updates.empty()); // nothing correlated: no effect
    FUZZ_CHECK(!decision.result.empty());
    (void)lookup_keys(parsed);
    return 0;
}
