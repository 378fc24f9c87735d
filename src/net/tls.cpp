#include "mailpush/net/tls.hpp"

#include "mailpush/common/random.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <sys/stat.h>

namespace mailpush::net {
namespace {
template <class T, void (*F)(T*)>
struct Deleter {
    void operator()(T* p) const { F(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;

struct FileCloser {
    void operator()(FILE* f) const { std::fclose(f); }
};

void add_ext(X509* cert, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext) throw std::runtime_error("cannot build certificate extension");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}
} // namespace

bool ensure_self_signed(const std::string& cert_path, const std::string& key_path,
                        const std::string& hostname) {
    namespace fs = std::filesystem;
    if (fs::exists(cert_path) && fs::exists(key_path)) return false;
    PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key) throw std::runtime_error("cannot generate a TLS key");
    X509Ptr cert(X509_new());
    X509_set_version(cert.get(), 2);
    std::string serial = common::random_bytes(16);
    serial[0] = static_cast<char>(serial[0] & 0x7f); // a positive serial number
    BIGNUM* bn = BN_bin2bn(reinterpret_cast<const unsigned char*>(serial.data()),
                           static_cast<int>(serial.size()), nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3650L * 86400);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(hostname.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    const std::string san = "DNS:" + hostname + ",DNS:localhost,IP:127.0.0.1,IP:::1";
    add_ext(cert.get(), NID_subject_alt_name, san.c_str());
    add_ext(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
        throw std::runtime_error("cannot sign the certificate");

    for (const auto& p : {cert_path, key_path})
        if (fs::path(p).has_parent_path()) fs::create_directories(fs::path(p).parent_path());
    {
        const auto old = ::umask(077);
        std::unique_ptr<FILE, FileCloser> kf(std::fopen(key_path.c_str(), "wb"));
        ::umask(old);
        if (!kf || PEM_write_PrivateKey(kf.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
            throw std::runtime_error("cannot write " + key_path);
    }
    std::unique_ptr<FILE, FileCloser> cf(std::fopen(cert_path.c_str(), "wb"));
    if (!cf || PEM_write_X509(cf.get(), cert.get()) != 1)
        throw std::runtime_error("cannot write " + cert_path);
    return true;
}

std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const std::string& cert_path,
                                                                   const std::string& key_path) {
    namespace ssl = boost::asio::ssl;
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    // Our order of the suites below, not the client's (testssl.sh rates a client-chosen order HIGH).
    SSL_CTX_set_options(ctx->native_handle(), SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_cipher_list(
        ctx->native_handle(),
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
        "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
    boost::system::error_code ec;
    ctx->use_certificate_chain_file(cert_path, ec);
    if (ec) throw std::runtime_error("tls.cert: cannot load " + cert_path + ": " + ec.message());
    ctx->use_private_key_file(key_path, ssl::context::pem, ec);
    if (ec) throw std::runtime_error("tls.key: cannot load " + key_path + ": " + ec.message());
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
        throw std::runtime_error("tls.key: " + key_path + " does not match " + cert_path);
    return ctx;
}

} // namespace mailpush::net
