// DKIM and the 7-bit downgrade (src/dkim/, src/smtp/seven_bit.cpp) fed arbitrary messages.
// Invariants: canonicalization is idempotent; a message is either refused by the signer or its
// signature verifies with our verifier; a downgraded message keeps its header/body separator;
// parsing a key record never throws.
#include "fuzz_check.hpp"

#include "mailpush/dkim/dkim.hpp"
#include "mailpush/smtp/seven_bit.hpp"

#include <stdexcept>
#include <string>

namespace {
using namespace mailpush;

const dkim::KeyPair& ed25519_key() {
    static const auto key = dkim::generate_key(dkim::Algorithm::ed25519_sha256);
    return key;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    (void)dkim::parse_key_record(input);
    for (const auto c : {dkim::Canonicalization::simple, dkim::Canonicalization::relaxed}) {
        const auto once = dkim::canonical_body(c, input);
        FUZZ_CHECK(dkim::canonical_body(c, once) == once);
    }
    const auto sep = input.find("\r\n\r\n");
    if (sep == std::string::npos) return 0;
    // The downgrade only re-encodes part bodies: 8-bit bytes in a MIME part's own header stay
    // (docs/dkim.md), so its output is checked for its structure, not for 8-bit bytes.
    const auto downgraded = smtp::to_seven_bit(input);
    FUZZ_CHECK(downgraded.find("\r\n\r\n") != std::string::npos);

    const auto& key = ed25519_key();
    const dkim::SigningKey signing{"example.com", "fuzz", dkim::Algorithm::ed25519_sha256, key.private_pem};
    std::string signature;
    try {
        signature = dkim::sign(input, {signing}, dkim::SignOptions{});
    } catch (const std::invalid_argument&) {
        return 0; // a header section we refuse to sign (it is delivered unsigned, logged)
    }
    const auto record = dkim::txt_record(key.algorithm, key.public_b64);
    const auto results =
        dkim::verify(signature + input, [&](const std::string& selector, const std::string& domain) {
            return selector == "fuzz" && domain == "example.com" ? std::optional<std::string>(record)
                                                                 : std::nullopt;
        });
    FUZZ_CHECK(!results.empty());
    FUZZ_CHECK(results.front().status == dkim::VerifyStatus::pass);
    return 0;
}
