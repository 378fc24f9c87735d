#include "mailpush/openapi/signature.hpp"

#include "mailpush/common/base64.hpp"
#include "mailpush/common/calendar.hpp"
#include "mailpush/common/digest.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/common/url.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>

namespace mailpush::openapi {

std::string sha256_hex(std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
    return common::to_hex(std::string_view(reinterpret_cast<const char*>(out), len));
}

bool constant_time_equals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<Acs3Authorization> parse_acs3_authorization(std::string_view header) {
    const auto space = header.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    Acs3Authorization out;
    out.algorithm = std::string(header.substr(0, space));
    std::string_view rest = header.substr(space + 1);
    bool have_signed = false;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const auto item = common::trim(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        const auto eq = item.find('=');
        if (eq == std::string_view::npos) return std::nullopt;
        const auto key = item.substr(0, eq), value = item.substr(eq + 1);
        if (key == "Credential") {
            out.key_id = std::string(value);
        } else if (key == "SignedHeaders") {
            have_signed = true;
            std::size_t start = 0;
            while (start <= value.size()) {
                auto end = value.find(';', start);
                if (end == std::string_view::npos) end = value.size();
                if (end > start)
                    out.signed_headers.push_back(common::to_lower(value.substr(start, end - start)));
                start = end + 1;
            }
        } else if (key == "Signature") {
            out.signature = std::string(value);
        }
    }
    if (out.key_id.empty() || out.signature.empty() || !have_signed) return std::nullopt;
    return out;
}

std::string acs3_canonical_query(const Params& query) {
    // Keys and values both encoded, so '&' and '=' inside either cannot forge a separator: two
    // different parameter sets never share a canonical query. Sorted by the encoded key (byte
    // order), as the spec says; for the SDK's ASCII parameter names that is its own order.
    Params encoded;
    encoded.reserve(query.size());
    for (const auto& [k, v] : query)
        encoded.emplace_back(common::percent_encode(k), common::percent_encode(v));
    std::sort(encoded.begin(), encoded.end());
    std::string out;
    for (const auto& [k, v] : encoded)
        out += (out.empty() ? "" : "&") + k + "=" + v;
    return out;
}

std::string acs3_canonical_request(const SignedRequest& request,
                                   const std::vector<std::string>& signed_headers,
                                   std::string_view hashed_payload) {
    const std::string canonical_query = acs3_canonical_query(request.query);

    std::vector<std::string> names = signed_headers;
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    std::string canonical_headers;
    for (const auto& name : names) {
        std::vector<std::string> values;
        for (const auto& [k, v] : request.headers)
            if (common::iequals(k, name)) values.emplace_back(common::trim(v));
        std::sort(values.begin(), values.end());
        std::string joined;
        for (const auto& v : values)
            joined += (joined.empty() ? "" : ",") + v;
        canonical_headers += name + ":" + joined + "\n";
    }
    std::string signed_list;
    for (const auto& n : names)
        signed_list += (signed_list.empty() ? "" : ";") + n;
    return request.method + "\n" + request.path + "\n" + canonical_query + "\n" + canonical_headers + "\n" +
           signed_list + "\n" + std::string(hashed_payload);
}

std::string acs3_signature(const SignedRequest& request, const std::vector<std::string>& signed_headers,
                           std::string_view hashed_payload, std::string_view secret) {
    const std::string string_to_sign =
        "ACS3-HMAC-SHA256\n" + sha256_hex(acs3_canonical_request(request, signed_headers, hashed_payload));
    return common::to_hex(common::hmac_sha256(secret, string_to_sign));
}

std::string rpc_string_to_sign(std::string_view method, Params params) {
    std::stable_sort(params.begin(), params.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string canonical;
    for (const auto& [k, v] : params)
        canonical +=
            (canonical.empty() ? "" : "&") + common::percent_encode(k) + "=" + common::percent_encode(v);
    return std::string(method) + "&" + common::percent_encode("/") + "&" + common::percent_encode(canonical);
}

std::string rpc_signature(std::string_view method, const Params& params, std::string_view secret) {
    return common::base64_encode(
        common::hmac_sha1(std::string(secret) + "&", rpc_string_to_sign(method, params)));
}

std::optional<std::int64_t> parse_utc_timestamp(std::string_view t) {
    const auto parsed = common::parse_civil_time(t, "YYYY-MM-DDThh:mm:ssZ");
    if (!parsed) return std::nullopt;
    return parsed->time_since_epoch().count();
}

} // namespace mailpush::openapi
