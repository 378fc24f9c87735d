// Request signatures of the Alibaba Cloud OpenAPI as the official SDKs make them: ACS3-HMAC-SHA256
// (the SDKs' default, an Authorization header) and the older RPC HMAC-SHA1 (a Signature
// parameter). Pure functions, so they are tested against vectors the SDK itself produced.
// Handles untrusted input: headers and parameters come from any HTTP client.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailpush::openapi {

using Params = std::vector<std::pair<std::string, std::string>>;

struct SignedRequest {
    std::string method;
    std::string path; // as sent, without the query
    Params query;     // decoded
    Params headers;   // names in any case
    std::string body; // raw
};

struct Acs3Authorization {
    std::string algorithm; // "ACS3-HMAC-SHA256"
    std::string key_id;
    std::vector<std::string> signed_headers; // lower case, as listed
    std::string signature;                   // hex
};

// "ACS3-HMAC-SHA256 Credential=ID,SignedHeaders=a;b,Signature=hex" -> parts; nullopt if malformed.
std::optional<Acs3Authorization> parse_acs3_authorization(std::string_view header);

// ACS3 canonical query string: each key and value RFC 3986 percent-encoded (unreserved bytes
// kept, every other byte %XX upper case, space %20), sorted by encoded key, "k=v" joined by '&'
// ("k=" for an empty value).
std::string acs3_canonical_query(const Params& query);
// The canonical request of ACS3 signing, for the listed headers and the payload hash.
std::string acs3_canonical_request(const SignedRequest& request,
                                   const std::vector<std::string>& signed_headers,
                                   std::string_view hashed_payload);
// hex(HMAC-SHA256(secret, "ACS3-HMAC-SHA256\n" + hex(SHA256(canonical request))))
std::string acs3_signature(const SignedRequest& request, const std::vector<std::string>& signed_headers,
                           std::string_view hashed_payload, std::string_view secret);

// RPC signature: base64(HMAC-SHA1(secret + "&", METHOD + "&%2F&" + encode(sorted k=v pairs))).
// `params` must not contain "Signature".
std::string rpc_string_to_sign(std::string_view method, Params params);
std::string rpc_signature(std::string_view method, const Params& params, std::string_view secret);

std::string sha256_hex(std::string_view data);
bool constant_time_equals(std::string_view a, std::string_view b);

// "2026-11-23T10:00:00Z" -> seconds since the epoch; nullopt for any other shape.
std::optional<std::int64_t> parse_utc_timestamp(std::string_view text);

} // namespace mailpush::openapi
