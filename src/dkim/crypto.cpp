// OpenSSL EVP: key loading, SHA-256, RSA PKCS#1 v1.5 and Ed25519 signatures.
#include "internal.hpp"

#include "mailpush/common/base64.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <map>
#include <mutex>
#include <stdexcept>

namespace mailpush::dkim::detail {
namespace {

struct MdCtxFree {
    void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

} // namespace

void PkeyFree::operator()(EVP_PKEY* key) const noexcept {
    EVP_PKEY_free(key);
}

std::optional<Algorithm> algorithm_of(const EVP_PKEY* key) {
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
        return Algorithm::rsa_sha256;
    case EVP_PKEY_ED25519:
        return Algorithm::ed25519_sha256;
    default:
        return std::nullopt;
    }
}

Pkey load_private(std::string_view pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                  &BIO_free);
    if (!bio) throw std::runtime_error("dkim: out of memory");
    Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key) throw std::invalid_argument("dkim: not a PEM private key");
    if (!algorithm_of(key.get()))
        throw std::invalid_argument("dkim: the private key is neither RSA nor Ed25519");
    return key;
}

Pkey cached_private(const std::string& pem) {
    static std::mutex mutex;
    static std::map<std::string, Pkey, std::less<>> cache;
    constexpr std::size_t capacity = 256;
    {
        const std::lock_guard lock(mutex);
        if (const auto it = cache.find(pem); it != cache.end()) {
            EVP_PKEY_up_ref(it->second.get());
            return Pkey(it->second.get());
        }
    }
    Pkey key = load_private(pem); // outside the lock: a bad key throws, nothing is cached
    const std::lock_guard lock(mutex);
    if (cache.size() >= capacity) cache.clear();
    EVP_PKEY_up_ref(key.get());
    cache.emplace(pem, Pkey(key.get()));
    return key;
}

Pkey load_public(Algorithm algorithm, std::string_view public_b64) {
    const auto raw = common::base64_decode(strip_whitespace(public_b64));
    if (!raw || raw->empty()) return nullptr;
    if (algorithm == Algorithm::ed25519_sha256) {
        if (raw->size() != 32) return nullptr;
        return Pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(*raw), raw->size()));
    }
    // SubjectPublicKeyInfo, as RFC 6376 §3.6.1 prescribes; some records hold a bare PKCS#1 key.
    const unsigned char* p = bytes(*raw);
    Pkey key(d2i_PUBKEY(nullptr, &p, static_cast<long>(raw->size())));
    if (!key) {
        p = bytes(*raw);
        key.reset(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(raw->size())));
    }
    if (!key || algorithm_of(key.get()) != Algorithm::rsa_sha256) return nullptr;
    return key;
}

std::string sha256(std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("dkim: SHA-256 failed");
    return std::string(reinterpret_cast<const char*>(out), len);
}

std::string sign_data(Algorithm algorithm, EVP_PKEY* key, std::string_view header_data) {
    MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx) throw std::runtime_error("dkim: out of memory");
    // Ed25519 is PureEdDSA over the SHA-256 hash of the header data (RFC 8463 §3).
    const std::string hashed = algorithm == Algorithm::ed25519_sha256 ? sha256(header_data) : std::string();
    const std::string_view input =
        algorithm == Algorithm::ed25519_sha256 ? std::string_view(hashed) : header_data;
    const EVP_MD* md = algorithm == Algorithm::ed25519_sha256 ? nullptr : EVP_sha256();
    std::size_t len = 0;
    if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, bytes(input), input.size()) != 1)
        throw std::runtime_error("dkim: signing failed");
    std::string out(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, bytes(input),
                       input.size()) != 1)
        throw std::runtime_error("dkim: signing failed");
    out.resize(len);
    return out;
}

bool verify_data(Algorithm algorithm, EVP_PKEY* key, std::string_view header_data,
                 std::string_view signature) {
    MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx) throw std::runtime_error("dkim: out of memory");
    const std::string hashed = algorithm == Algorithm::ed25519_sha256 ? sha256(header_data) : std::string();
    const std::string_view input =
        algorithm == Algorithm::ed25519_sha256 ? std::string_view(hashed) : header_data;
    const EVP_MD* md = algorithm == Algorithm::ed25519_sha256 ? nullptr : EVP_sha256();
    return EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) == 1 &&
           EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(input), input.size()) == 1;
}

std::string_view algorithm_name(Algorithm algorithm) {
    return algorithm == Algorithm::ed25519_sha256 ? "ed25519-sha256" : "rsa-sha256";
}

std::string_view canonicalization_name(Canonicalization c) {
    return c == Canonicalization::relaxed ? "relaxed" : "simple";
}

} // namespace mailpush::dkim::detail
