// The dkim module's private pieces: tag lists, the message's header fields, OpenSSL keys and
// digests. Used by sign.cpp, verify.cpp and keys.cpp only.
#pragma once

#include "mailpush/dkim/dkim.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using EVP_PKEY = struct evp_pkey_st;

namespace mailpush::dkim::detail {

// A tag=value list (RFC 6376 §3.2): tags in order, values with surrounding FWS removed.
// nullopt for a malformed list or a duplicate tag.
using TagList = std::vector<std::pair<std::string, std::string>>;
std::optional<TagList> parse_tag_list(std::string_view text);
const std::string* find_tag(const TagList& tags, std::string_view name);
// The value without any whitespace (FWS inside base64 values is allowed and ignored).
std::string strip_whitespace(std::string_view value);

// A message split into its header fields (each "Name: value" with inner folding, no final
// CRLF) and its body. nullopt without the empty line between them.
struct Field {
    std::string_view name; // as written, without trailing WSP
    std::string_view text; // the whole field
};
struct ParsedMessage {
    std::vector<Field> fields;
    std::string_view body;
};
std::optional<ParsedMessage> parse_message(std::string_view message);

// The canonicalized header data for the names in `h` (RFC 6376 §5.4.2: instances taken from
// the bottom up, a name with no instance left contributes nothing), in order.
std::string signed_header_data(Canonicalization c, const std::vector<Field>& fields,
                               const std::vector<std::string>& h);

struct PkeyFree {
    void operator()(EVP_PKEY* key) const noexcept;
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Pkey load_private(std::string_view pem);
// load_private through a process-wide cache (OpenSSL 3's PEM decoder costs several hundred
// microseconds, more than an Ed25519 signature): at most 256 keys, all dropped when full.
// Thread-safe; the keys are only read after loading.
Pkey cached_private(const std::string& pem);                        // throws invalid_argument
Pkey load_public(Algorithm algorithm, std::string_view public_b64); // nullptr if unusable
std::optional<Algorithm> algorithm_of(const EVP_PKEY* key);

std::string sha256(std::string_view data); // raw 32 bytes
// RSA: PKCS#1 v1.5 over SHA-256 of `header_data`; Ed25519: PureEdDSA over SHA-256 of it (RFC 8463 §3).
std::string sign_data(Algorithm algorithm, EVP_PKEY* key, std::string_view header_data);
bool verify_data(Algorithm algorithm, EVP_PKEY* key, std::string_view header_data,
                 std::string_view signature);

std::string_view algorithm_name(Algorithm algorithm); // "rsa-sha256" / "ed25519-sha256"
std::string_view canonicalization_name(Canonicalization c);

} // namespace mailpush::dkim::detail
