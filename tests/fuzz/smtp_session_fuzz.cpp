// The SMTP command parser and ServerSession core fed arbitrary byte streams, driven the way
// src/net/smtp_connection.cpp drives it: input arrives in chunks, each action is answered
// (credential verdict, commit result, TLS), and the policy's answers come from the fuzz bytes
// too. Invariants: every reply is a well-formed SMTP line; nothing is sent after a close.
#include "fuzz_check.hpp"

#include "mailpush/smtp/server_session.hpp"

#include <fuzzer/FuzzedDataProvider.h>

namespace {
using namespace mailpush::smtp;

struct FuzzedPolicy : SessionPolicy {
    explicit FuzzedPolicy(FuzzedDataProvider& in)
        : in_(in) {}
    std::optional<Reply> check_mail(const Envelope&) override { return answer(); }
    std::optional<Reply> check_rcpt(const Envelope&, std::string_view) override { return answer(); }

private:
    std::optional<Reply> answer() {
        switch (in_.ConsumeIntegralInRange<int>(0, 7)) {
        case 0:
            return replies::storage_low();
        case 1:
            return replies::invalid_rcptto();
        default:
            return std::nullopt;
        }
    }
    FuzzedDataProvider& in_;
};

SessionLimits fuzzed_limits(FuzzedDataProvider& in) {
    SessionLimits l;
    l.hostname = "mx.fuzz.test";
    l.style = in.ConsumeBool() ? ReplyStyle::rfc : ReplyStyle::directmail;
    l.max_message_bytes = in.ConsumeIntegralInRange<std::size_t>(0, 4096);
    l.max_recipients = in.ConsumeIntegralInRange<std::size_t>(1, 8);
    l.max_line_length = in.ConsumeIntegralInRange<std::size_t>(16, 1024);
    l.max_errors = in.ConsumeIntegralInRange<unsigned>(1, 50);
    l.max_auth_failures = in.ConsumeIntegralInRange<unsigned>(1, 10);
    l.starttls_available = in.ConsumeBool();
    l.tls_active = in.ConsumeBool();
    l.auth_requires_tls = in.ConsumeBool();
    l.inbound = in.ConsumeBool();
    return l;
}

// Carries out the session's action chain as the driver does; false once the session closed.
bool deliver(ServerSession& session, Output out, FuzzedDataProvider& in, bool& closed) {
    for (int step = 0; step < 64; ++step) {
        FUZZ_CHECK(mailpush::fuzz::well_formed_replies(out.wire));
        FUZZ_CHECK(!closed || out.wire.empty());
        if (out.close) {
            closed = true;
            return false;
        }
        switch (out.action.kind) {
        case ActionKind::none:
            return true;
        case ActionKind::verify_credentials: {
            static constexpr AuthVerdict kVerdicts[] = {
                AuthVerdict::ok, AuthVerdict::failed, AuthVerdict::throttled, AuthVerdict::temporary_failure};
            out = session.on_auth_result(in.PickValueInArray(kVerdicts));
            break;
        }
        case ActionKind::commit_message: {
            FUZZ_CHECK(!out.action.envelope.recipients.empty());
            CommitResult result;
            const int pick = in.ConsumeIntegralInRange<int>(0, 3);
            result.ok = pick != 0;
            result.envid = in.ConsumeIntegral<std::uint64_t>();
            if (pick == 3) {
                result.ok = false;
                result.refusal = replies::storage_low();
            }
            out = session.on_commit_result(result);
            break;
        }
        case ActionKind::start_tls:
            out = session.on_tls_established();
            break;
        case ActionKind::inbound_message:
            FUZZ_CHECK(out.action.envelope.recipients.size() == 1 && out.action.envelope.auth_user.empty());
            out = session.on_inbound_result(in.ConsumeBool() ? replies::report_accepted()
                                                             : replies::report_not_matched());
            break;
        }
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const SessionLimits limits = fuzzed_limits(in);
    FuzzedPolicy policy(in);
    ServerSession session(limits, policy);
    bool closed = false;
    if (!deliver(session, session.on_connect(), in, closed)) return 0;
    for (int chunk = 0; chunk < 4096 && in.remaining_bytes() > 0; ++chunk) {
        const std::uint8_t control = in.ConsumeIntegral<std::uint8_t>();
        Output out;
        if (control == 0xff)
            out = session.on_timeout();
        else if (control == 0xfe && !session.in_transaction())
            out = session.on_shutdown();
        else
            out = session.on_input(in.ConsumeBytesAsString(control % 64 + 1));
        if (!deliver(session, std::move(out), in, closed)) break;
    }
    return 0;
}
