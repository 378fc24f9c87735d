// The outbound client's reply parser and ClientSession fed arbitrary server replies in chunks:
// the session submits a message whenever it is ready, does the TLS step when asked and may quit.
// Invariants: parsed replies have a code of 0 (malformed) or 200..599 and bounded lines; nothing
// is sent after the session closed; every command it writes ends in CRLF.
#include "fuzz_check.hpp"

#include "mailpush/smtp/client_session.hpp"

#include <fuzzer/FuzzedDataProvider.h>

namespace {
using namespace mailpush::smtp;

void fuzz_parser(std::string_view bytes) {
    ReplyParser parser;
    for (int guard = 0; guard < 100000 && !bytes.empty(); ++guard) {
        const auto used = parser.consume(bytes);
        FUZZ_CHECK(used <= bytes.size());
        bytes.remove_prefix(used);
        const auto reply = parser.take();
        if (!reply) {
            FUZZ_CHECK(bytes.empty()); // it stops only after a complete reply
            break;
        }
        FUZZ_CHECK(reply->code == 0 || (reply->code >= 200 && reply->code <= 599));
        for (const auto& line : reply->lines)
            FUZZ_CHECK(line.size() <= 4096);
        (void)reply->enhanced();
    }
}

OutboundMessage fuzzed_message(FuzzedDataProvider& in) {
    OutboundMessage m;
    m.mail_from = "sender@example.com";
    const auto n = in.ConsumeIntegralInRange<std::size_t>(1, 4);
    for (std::size_t i = 0; i < n; ++i)
        m.recipients.push_back("rcpt" + std::to_string(i) + "@example.net");
    m.body = "Subject: fuzz\r\n\r\n.line\r\nbody\r\n";
    m.eight_bit = in.ConsumeBool();
    m.smtputf8 = in.ConsumeBool();
    return m;
}

void check_step(const ClientStep& step, bool closed_before) {
    FUZZ_CHECK(!closed_before || step.wire.empty());
    FUZZ_CHECK(step.wire.empty() || step.wire.ends_with("\r\n"));
}

void fuzz_session(FuzzedDataProvider& in) {
    ClientSession session(ClientOptions{"mx.fuzz.test", in.ConsumeBool()});
    bool closed = false;
    for (int round = 0; round < 1024 && in.remaining_bytes() > 0 && !closed; ++round) {
        ClientStep step =
            session.on_input(in.ConsumeBytesAsString(in.ConsumeIntegralInRange<std::size_t>(1, 128)));
        for (int follow = 0; follow < 8; ++follow) {
            check_step(step, closed);
            if (step.closed) closed = true;
            if (closed) break;
            if (step.start_tls) {
                step = session.on_tls_established();
            } else if (step.ready && in.ConsumeBool()) {
                step = in.ConsumeIntegralInRange<int>(0, 7) == 0 ? session.quit()
                                                                 : session.submit(fuzzed_message(in));
            } else {
                break;
            }
        }
        FUZZ_CHECK(closed == session.closed() || !closed);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz_parser(std::string_view(reinterpret_cast<const char*>(data), size));
    FuzzedDataProvider in(data, size);
    fuzz_session(in);
    return 0;
}
