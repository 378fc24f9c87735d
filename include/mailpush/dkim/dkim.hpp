// DKIM (RFC 6376) signatures with RSA-SHA256 and Ed25519-SHA256 (RFC 8463): key pairs, the DNS
// TXT record of a public key, relaxed/simple canonicalization, signing and verifying. Messages
// are whole RFC 5322 messages with CRLF line ends (header, empty line, body) as the spool holds
// them. Signing is pure apart from OpenSSL; nothing here does I/O.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::dkim {

enum class Algorithm { rsa_sha256, ed25519_sha256 };
enum class Canonicalization { simple, relaxed };

struct KeyPair {
    Algorithm algorithm = Algorithm::rsa_sha256;
    std::string private_pem; // PKCS#8 PEM
    std::string public_b64;  // the p= value: base64 SubjectPublicKeyInfo (RSA) or the 32 raw bytes (Ed25519)
};

// A new key pair from OpenSSL's CSPRNG; rsa_bits is 1024 or 2048 (others throw
// std::invalid_argument) and ignored for Ed25519.
KeyPair generate_key(Algorithm algorithm, int rsa_bits = 2048);

// The public key of a PEM private key (throws std::invalid_argument on a bad key).
KeyPair key_from_pem(std::string_view private_pem);

// RSA modulus size in bits of a key pair's public key (0 for Ed25519).
int rsa_bits(const KeyPair& key);

// "v=DKIM1; k=rsa; p=…" / "v=DKIM1; k=ed25519; p=…", the value published at
// {selector}._domainkey.{domain}.
std::string txt_record(Algorithm algorithm, std::string_view public_b64);

// The tags of a DKIM TXT record (v, k, p, t, h, s …); nullopt if it is not a DKIM key record.
struct KeyRecord {
    Algorithm algorithm = Algorithm::rsa_sha256;
    std::string public_b64; // empty: revoked
    bool testing = false;   // t=y
};
std::optional<KeyRecord> parse_key_record(std::string_view txt);

// Canonicalization (RFC 6376 §3.4): one header field "Name: value" (without its final CRLF;
// the result ends in CRLF for both algorithms as §3.7 requires for all but the signature
// header), and a body (everything after the empty line).
std::string canonical_header(Canonicalization c, std::string_view field);
std::string canonical_body(Canonicalization c, std::string_view body);

// The headers signed by default: From is over-signed (listed once more than present), so no
// From can be added later; the others are signed as present and over-signed once so none can
// be added after signing.
const std::vector<std::string>& default_signed_headers();

struct SigningKey {
    std::string domain;   // d=
    std::string selector; // s=
    Algorithm algorithm = Algorithm::rsa_sha256;
    std::string private_pem;
};

struct SignOptions {
    Canonicalization header_c = Canonicalization::relaxed;
    Canonicalization body_c = Canonicalization::relaxed;
    std::vector<std::string> headers = default_signed_headers(); // h= candidates, in order
    // true: each name in `headers` is listed once per instance in the message plus once more
    // (over-signing: the extra entry signs the null string, so no instance can be added later),
    // including names the message lacks. false: `headers` is the h= list exactly as given
    // (RFC 6376 §5.4.2: instances taken from the bottom up; a name with no instance left signs
    // the null string). Either way h= must name From (std::invalid_argument otherwise).
    bool oversign = true;
    std::int64_t timestamp = 0;             // t=, seconds; 0 = omit
    std::optional<std::int64_t> expiration; // x=
    std::string identity;                   // i=, empty = omit
};

// The DKIM-Signature header fields for `message`, one per key in `keys`, newest first as they
// are to be prepended ("DKIM-Signature: v=1; a=…\r\n", folded at 78 columns). The body hash is
// computed once per body canonicalization. Throws std::invalid_argument on a bad key or a
// message without a header/body separator.
std::string sign(std::string_view message, const std::vector<SigningKey>& keys, const SignOptions& options);

// Verification, for tests and diagnostics: each DKIM-Signature of `message` checked with the
// key record `lookup(selector, domain)` returns (nullopt: no record).
enum class VerifyStatus { pass, fail_body_hash, fail_signature, no_key, bad_signature_header };
struct VerifyResult {
    std::string domain;
    std::string selector;
    VerifyStatus status = VerifyStatus::bad_signature_header;
};
using KeyLookup =
    std::function<std::optional<std::string>(const std::string& selector, const std::string& domain)>;
std::vector<VerifyResult> verify(std::string_view message, const KeyLookup& lookup);

} // namespace mailpush::dkim
