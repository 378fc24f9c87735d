// OpenAPI signature parsing (src/openapi/signature.cpp): the ACS3 Authorization header, the
// canonical request built from whatever headers, query and body a client sends, the RPC string to
// sign, and the timestamp parser. Invariants: a parsed header has a key, a signature and lower-case
// signed headers; the signature is 64 hex digits; the canonical request starts with the method.
#include "fuzz_check.hpp"

#include "mailpush/openapi/signature.hpp"

#include <fuzzer/FuzzedDataProvider.h>

namespace {
using namespace mailpush::openapi;

Params fuzzed_params(FuzzedDataProvider& in) {
    Params out;
    const auto n = in.ConsumeIntegralInRange<std::size_t>(0, 8);
    for (std::size_t i = 0; i < n; ++i) {
        auto key = in.ConsumeRandomLengthString(64);
        out.emplace_back(std::move(key), in.ConsumeRandomLengthString(128));
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const std::string authorization = in.ConsumeRandomLengthString(512);
    SignedRequest request;
    request.method = in.ConsumeBool() ? "POST" : in.ConsumeRandomLengthString(8);
    request.path = in.ConsumeRandomLengthString(64);
    request.query = fuzzed_params(in);
    request.headers = fuzzed_params(in);
    const std::string timestamp = in.ConsumeRandomLengthString(32);
    request.body = in.ConsumeRemainingBytesAsString();

    std::vector<std::string> signed_headers = {"host", "x-acs-action", "x-acs-date"};
    if (const auto auth = parse_acs3_authorization(authorization)) {
        FUZZ_CHECK(!auth->key_id.empty() && !auth->signature.empty());
        for (const auto& name : auth->signed_headers)
            for (const char c : name)
                FUZZ_CHECK(!(c >= 'A' && c <= 'Z'));
        signed_headers = auth->signed_headers;
    }
    const std::string payload_hash = sha256_hex(request.body);
    FUZZ_CHECK(payload_hash.size() == 64);
    const auto canonical = acs3_canonical_request(request, signed_headers, payload_hash);
    FUZZ_CHECK(canonical.starts_with(request.method + "\n"));
    FUZZ_CHECK(acs3_signature(request, signed_headers, payload_hash, "secret").size() == 64);

    Params rpc = request.query;
    std::erase_if(rpc, [](const auto& p) { return p.first == "Signature"; });
    (void)rpc_string_to_sign(request.method, rpc);
    (void)rpc_signature(request.method, rpc, "secret");
    (void)constant_time_equals(authorization, timestamp);
    if (const auto seconds = parse_utc_timestamp(timestamp)) FUZZ_CHECK(timestamp.size() == 20);
    return 0;
}
