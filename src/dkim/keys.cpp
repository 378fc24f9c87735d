// Key pairs (generation, PEM), the public key's TXT record and its parsing (RFC 6376 §3.6.1,
// RFC 8463 §4.2).
#include "internal.hpp"

#include "mailpush/common/base64.hpp"
#include "mailpush/common/strings.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <stdexcept>

namespace mailpush::dkim {
namespace {

KeyPair pair_of(EVP_PKEY* key) {
    KeyPair out;
    out.algorithm = *detail::algorithm_of(key);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        throw std::runtime_error("dkim: cannot write the private key");
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    out.private_pem.assign(data, static_cast<std::size_t>(len));
    if (out.algorithm == Algorithm::ed25519_sha256) {
        std::string raw(32, '\0');
        std::size_t raw_len = raw.size();
        if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &raw_len) != 1)
            throw std::runtime_error("dkim: cannot read the Ed25519 public key");
        raw.resize(raw_len);
        out.public_b64 = common::base64_encode(raw);
    } else {
        unsigned char* der = nullptr;
        const int der_len = i2d_PUBKEY(key, &der);
        if (der_len <= 0) throw std::runtime_error("dkim: cannot encode the RSA public key");
        out.public_b64 = common::base64_encode(
            std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(der_len)));
        OPENSSL_free(der);
    }
    return out;
}

} // namespace

KeyPair generate_key(Algorithm algorithm, int rsa_bits) {
    EVP_PKEY* raw = nullptr;
    if (algorithm == Algorithm::rsa_sha256) {
        if (rsa_bits != 1024 && rsa_bits != 2048)
            throw std::invalid_argument("dkim: RSA keys are 1024 or 2048 bits");
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(rsa_bits));
    } else {
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    }
    detail::Pkey key(raw);
    if (!key) throw std::runtime_error("dkim: key generation failed");
    return pair_of(key.get());
}

KeyPair key_from_pem(std::string_view private_pem) {
    return pair_of(detail::load_private(private_pem).get());
}

int rsa_bits(const KeyPair& key) {
    if (key.algorithm != Algorithm::rsa_sha256) return 0;
    const auto pkey = detail::load_public(Algorithm::rsa_sha256, key.public_b64);
    return pkey ? EVP_PKEY_get_bits(pkey.get()) : 0;
}

std::string txt_record(Algorithm algorithm, std::string_view public_b64) {
    std::string out =
        algorithm == Algorithm::ed25519_sha256 ? "v=DKIM1; k=ed25519; p=" : "v=DKIM1; k=rsa; p=";
    out += public_b64;
    return out;
}

std::optional<KeyRecord> parse_key_record(std::string_view txt) {
    const auto tags = detail::parse_tag_list(txt);
    if (!tags) return std::nullopt;
    // v= is optional but, when present, must be the first tag and DKIM1 (§3.6.1).
    if (const auto* v = detail::find_tag(*tags, "v"); v && (*v != "DKIM1" || tags->front().first != "v"))
        return std::nullopt;
    const auto* p = detail::find_tag(*tags, "p");
    if (p == nullptr) return std::nullopt;
    KeyRecord out;
    const auto* k = detail::find_tag(*tags, "k");
    if (k == nullptr || *k == "rsa")
        out.algorithm = Algorithm::rsa_sha256;
    else if (*k == "ed25519")
        out.algorithm = Algorithm::ed25519_sha256;
    else
        return std::nullopt;
    // h= (acceptable hashes), when present, must allow sha256: we sign with nothing else.
    if (const auto* h = detail::find_tag(*tags, "h")) {
        bool sha256 = false;
        for (const auto& name : common::split_list(*h, ':'))
            sha256 = sha256 || name == "sha256";
        if (!sha256) return std::nullopt;
    }
    if (const auto* s = detail::find_tag(*tags, "s")) {
        bool email = false;
        for (const auto& name : common::split_list(*s, ':'))
            email = email || name == "*" || name == "email";
        if (!email) return std::nullopt;
    }
    if (const auto* t = detail::find_tag(*tags, "t"))
        for (const auto& flag : common::split_list(*t, ':'))
            out.testing = out.testing || flag == "y";
    out.public_b64 = detail::strip_whitespace(*p);
    return out;
}

} // namespace mailpush::dkim
