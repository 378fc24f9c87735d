// Signing (RFC 6376 §5, RFC 8463): the h= list, the body hash once per call, one folded
// DKIM-Signature header per key.
#include "internal.hpp"

#include "mailpush/common/base64.hpp"
#include "mailpush/common/strings.hpp"

#include <algorithm>
#include <stdexcept>

namespace mailpush::dkim {
namespace {

constexpr std::size_t fold_column = 78;
constexpr std::string_view field_name = "DKIM-Signature:";

// A d=, s= or i= value: printable ASCII without ';' (which would start another tag) or '='.
bool valid_tag_value(std::string_view v) {
    return !v.empty() &&
           std::all_of(v.begin(), v.end(), [](char c) { return c > 0x20 && c < 0x7f && c != ';'; });
}

bool valid_field_name(std::string_view name) {
    return !name.empty() &&
           std::all_of(name.begin(), name.end(), [](char c) { return c > 0x20 && c < 0x7f && c != ':'; });
}

std::vector<std::string> header_list(const SignOptions& options, const std::vector<detail::Field>& fields) {
    std::vector<std::string> out;
    std::vector<std::string> seen;
    for (const auto& candidate : options.headers) {
        if (!valid_field_name(candidate))
            throw std::invalid_argument("dkim: bad header name in the signed header list");
        std::string name = common::to_lower(candidate);
        if (!options.oversign) {
            out.push_back(std::move(name));
            continue;
        }
        if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
        const auto present = std::count_if(fields.begin(), fields.end(), [&](const detail::Field& f) {
            return common::iequals(f.name, name);
        });
        for (std::ptrdiff_t i = 0; i <= present; ++i)
            out.push_back(name);
        seen.push_back(std::move(name));
    }
    if (std::find(out.begin(), out.end(), "from") == out.end())
        throw std::invalid_argument("dkim: the signed header list must name From");
    return out;
}

// "DKIM-Signature: tok tok …" with a fold before any token that would pass the fold column.
struct Folder {
    std::string text{field_name};
    std::size_t column = field_name.size();

    void add(std::string_view token) {
        if (column + 1 + token.size() > fold_column && column > field_name.size()) {
            text += "\r\n";
            column = 0;
        }
        text.push_back(' ');
        text += token;
        column += 1 + token.size();
    }
    // Base64 split across lines: FWS inside b= is ignored by verifiers.
    void add_unbroken(std::string_view value) {
        while (!value.empty()) {
            if (column >= fold_column) {
                text += "\r\n ";
                column = 1;
            }
            const std::size_t n = std::min(value.size(), fold_column - column);
            text += value.substr(0, n);
            column += n;
            value.remove_prefix(n);
        }
    }
};

void check(const SigningKey& key, const SignOptions& options) {
    if (!valid_tag_value(key.domain) || key.domain.find('=') != std::string::npos)
        throw std::invalid_argument("dkim: bad signing domain");
    if (!valid_tag_value(key.selector) || key.selector.find('=') != std::string::npos)
        throw std::invalid_argument("dkim: bad selector");
    if (!options.identity.empty()) {
        const auto at = options.identity.rfind('@');
        const std::string domain =
            common::to_lower(at == std::string::npos ? "" : options.identity.substr(at + 1));
        const std::string d = common::to_lower(key.domain);
        const bool within = domain == d || (domain.size() > d.size() && domain.ends_with("." + d));
        if (!valid_tag_value(options.identity) || at == std::string::npos || !within)
            throw std::invalid_argument(
                "dkim: the identity (i=) must be an address at the signing domain or below it");
    }
}

} // namespace

const std::vector<std::string>& default_signed_headers() {
    static const std::vector<std::string> names = {"From",
                                                   "To",
                                                   "Cc",
                                                   "Subject",
                                                   "Date",
                                                   "Message-ID",
                                                   "Reply-To",
                                                   "MIME-Version",
                                                   "Content-Type",
                                                   "Content-Transfer-Encoding",
                                                   "List-Unsubscribe",
                                                   "List-Unsubscribe-Post",
                                                   "In-Reply-To",
                                                   "References",
                                                   "Sender"};
    return names;
}

std::string sign(std::string_view message, const std::vector<SigningKey>& keys, const SignOptions& options) {
    const auto parsed = detail::parse_message(message);
    if (!parsed)
        throw std::invalid_argument(
            "dkim: not a message (no empty line after the header, a header line without a colon, a field "
            "name that is not printable ASCII, or a lone CR or LF in the header)");
    if (options.timestamp < 0) throw std::invalid_argument("dkim: negative signature timestamp");
    if (options.expiration && (*options.expiration <= options.timestamp || *options.expiration <= 0))
        throw std::invalid_argument("dkim: the expiration (x=) must be after the timestamp (t=)");
    const auto h = header_list(options, parsed->fields);
    // Shared by every key: the body hash and the selected header fields.
    const std::string bh =
        common::base64_encode(detail::sha256(canonical_body(options.body_c, parsed->body)));
    const std::string header_data = detail::signed_header_data(options.header_c, parsed->fields, h);

    std::string out;
    for (const auto& key : keys) {
        check(key, options);
        const auto pkey = detail::cached_private(key.private_pem);
        if (detail::algorithm_of(pkey.get()) != key.algorithm)
            throw std::invalid_argument("dkim: the private key does not match the key's algorithm");
        Folder f;
        f.add("v=1;");
        f.add("a=" + std::string(detail::algorithm_name(key.algorithm)) + ";");
        f.add("c=" + std::string(detail::canonicalization_name(options.header_c)) + "/" +
              std::string(detail::canonicalization_name(options.body_c)) + ";");
        f.add("d=" + key.domain + ";");
        if (!options.identity.empty()) f.add("i=" + options.identity + ";");
        f.add("q=dns/txt;");
        f.add("s=" + key.selector + ";");
        if (options.timestamp != 0) f.add("t=" + std::to_string(options.timestamp) + ";");
        if (options.expiration) f.add("x=" + std::to_string(*options.expiration) + ";");
        for (std::size_t i = 0; i < h.size(); ++i) {
            if (i > 0) f.add(":");
            f.add((i == 0 ? "h=" : "") + h[i] + (i + 1 == h.size() ? ";" : ""));
        }
        f.add("bh=" + bh + ";");
        f.add("b=");
        std::string data = header_data;
        std::string self = canonical_header(options.header_c, f.text);
        self.resize(self.size() - 2); // §3.7: the signature field itself without its CRLF
        data += self;
        f.add_unbroken(common::base64_encode(detail::sign_data(key.algorithm, pkey.get(), data)));
        out += f.text;
        out += "\r\n";
    }
    return out;
}

} // namespace mailpush::dkim
