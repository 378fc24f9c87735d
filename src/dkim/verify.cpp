// Verification (RFC 6376 §6) of every DKIM-Signature in a message, for tests and diagnostics.
// The x= expiry is not judged: there is no clock here.
#include "internal.hpp"

#include "mailpush/common/base64.hpp"
#include "mailpush/common/strings.hpp"

#include <algorithm>

namespace mailpush::dkim {
namespace {

std::optional<std::pair<Canonicalization, Canonicalization>> parse_c(const std::string* c) {
    if (c == nullptr) return std::pair{Canonicalization::simple, Canonicalization::simple};
    const auto one = [](std::string_view s) -> std::optional<Canonicalization> {
        if (s == "simple") return Canonicalization::simple;
        if (s == "relaxed") return Canonicalization::relaxed;
        return std::nullopt;
    };
    const auto slash = c->find('/');
    const auto header = one(std::string_view(*c).substr(0, slash));
    const auto body = slash == std::string::npos ? std::optional(Canonicalization::simple)
                                                 : one(std::string_view(*c).substr(slash + 1));
    if (!header || !body) return std::nullopt;
    return std::pair{*header, *body};
}

// The signature field with the value of its b= tag removed (§3.5 "b=", §3.7).
std::string without_b_value(std::string_view field) {
    const auto colon = field.find(':');
    std::string out(field.substr(0, colon + 1));
    std::string_view rest = field.substr(colon + 1);
    while (true) {
        const auto semi = rest.find(';');
        std::string_view spec = rest.substr(0, semi);
        const auto eq = spec.find('=');
        if (eq != std::string_view::npos && detail::strip_whitespace(spec.substr(0, eq)) == "b")
            spec = spec.substr(0, eq + 1);
        out += spec;
        if (semi == std::string_view::npos) break;
        out.push_back(';');
        rest.remove_prefix(semi + 1);
    }
    return out;
}

VerifyResult check_one(const detail::ParsedMessage& message, const detail::Field& field,
                       const KeyLookup& lookup) {
    VerifyResult result;
    const auto tags = detail::parse_tag_list(field.text.substr(field.text.find(':') + 1));
    if (!tags) return result;
    const auto tag = [&](std::string_view name) { return detail::find_tag(*tags, name); };
    if (const auto* d = tag("d")) result.domain = *d;
    if (const auto* s = tag("s")) result.selector = *s;
    const auto* v = tag("v");
    const auto* a = tag("a");
    const auto* b = tag("b");
    const auto* bh = tag("bh");
    const auto* h = tag("h");
    const auto c = parse_c(tag("c"));
    if (!v || *v != "1" || !a || !b || !bh || !h || !c || result.domain.empty() || result.selector.empty())
        return result;
    Algorithm algorithm = Algorithm::rsa_sha256;
    if (*a == "ed25519-sha256")
        algorithm = Algorithm::ed25519_sha256;
    else if (*a != "rsa-sha256")
        return result;
    std::vector<std::string> names;
    for (auto& name : common::split_list(detail::strip_whitespace(*h), ':'))
        names.push_back(common::to_lower(name));
    if (std::find(names.begin(), names.end(), "from") == names.end()) return result;
    std::optional<std::uint64_t> length;
    if (const auto* l = tag("l")) {
        length = common::parse_u64(*l);
        if (!length) return result;
    }
    const auto signature = common::base64_decode(detail::strip_whitespace(*b));
    if (!signature) return result;

    const auto txt = lookup(result.selector, result.domain);
    const auto record = txt ? parse_key_record(*txt) : std::nullopt;
    if (!record || record->public_b64.empty()) {
        result.status = VerifyStatus::no_key;
        return result;
    }
    const auto key =
        record->algorithm == algorithm ? detail::load_public(algorithm, record->public_b64) : nullptr;
    if (!key) {
        result.status = VerifyStatus::no_key;
        return result;
    }

    std::string body = canonical_body(c->second, message.body);
    if (length) {
        if (*length > body.size()) {
            result.status = VerifyStatus::fail_body_hash;
            return result;
        }
        body.resize(*length);
    }
    if (common::base64_encode(detail::sha256(body)) != detail::strip_whitespace(*bh)) {
        result.status = VerifyStatus::fail_body_hash;
        return result;
    }
    std::string data = detail::signed_header_data(c->first, message.fields, names);
    std::string self = canonical_header(c->first, without_b_value(field.text));
    self.resize(self.size() - 2);
    data += self;
    result.status = detail::verify_data(algorithm, key.get(), data, *signature)
                        ? VerifyStatus::pass
                        : VerifyStatus::fail_signature;
    return result;
}

} // namespace

std::vector<VerifyResult> verify(std::string_view message, const KeyLookup& lookup) {
    std::vector<VerifyResult> out;
    const auto parsed = detail::parse_message(message);
    if (!parsed) return out;
    for (const auto& field : parsed->fields)
        if (common::iequals(field.name, "DKIM-Signature")) out.push_back(check_one(*parsed, field, lookup));
    return out;
}

} // namespace mailpush::dkim
