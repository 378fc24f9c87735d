#include "certificate_check.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

namespace mailpush::app {
namespace {

struct FileCloser {
    void operator()(FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<FILE, FileCloser>;
struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

std::string problem(const std::string& key, const std::string& text) {
    return "key '" + key + "': " + text;
}

// Opens for reading; on failure the problem names the key, the path and the reason.
File open_for_reading(const std::string& key, const std::string& path, std::optional<std::string>& error) {
    File f(std::fopen(path.c_str(), "r"));
    if (!f) error = problem(key, "cannot read " + path + ": " + std::strerror(errno));
    return f;
}

// An encrypted key is refused rather than prompted for: the server has no terminal to ask.
int no_passphrase(char*, int, int, void*) {
    return 0;
}
} // namespace

std::vector<CertificatePair> certificate_pairs(const config::Config& cfg) {
    const std::vector<CertificatePair> all{
        {"tls.cert", "tls.key", cfg.tls.cert, cfg.tls.key, cfg.tls.self_signed},
        {"http.cert", "http.key", cfg.http.cert, cfg.http.key, false},
    };
    std::vector<CertificatePair> set;
    for (const auto& p : all)
        if (!p.cert.empty() || !p.key.empty()) set.push_back(p);
    return set;
}

std::optional<std::string> check_certificate_pair(const CertificatePair& pair) {
    namespace fs = std::filesystem;
    if (pair.cert.empty()) return problem(pair.cert_key, "is required when " + pair.key_key + " is set");
    if (pair.key.empty()) return problem(pair.key_key, "is required when " + pair.cert_key + " is set");
    std::error_code ec;
    if (pair.made_at_start && (!fs::exists(pair.cert, ec) || !fs::exists(pair.key, ec))) return std::nullopt;

    std::optional<std::string> error;
    const File cert_file = open_for_reading(pair.cert_key, pair.cert, error);
    if (error) return error;
    std::unique_ptr<X509, X509Free> cert(PEM_read_X509(cert_file.get(), nullptr, nullptr, nullptr));
    if (!cert) return problem(pair.cert_key, pair.cert + " holds no PEM certificate");
    if (X509_cmp_current_time(X509_get0_notAfter(cert.get())) < 0)
        return problem(pair.cert_key, "the certificate in " + pair.cert + " has expired");

    const File key_file = open_for_reading(pair.key_key, pair.key, error);
    if (error) return error;
    std::unique_ptr<EVP_PKEY, PkeyFree> key(
        PEM_read_PrivateKey(key_file.get(), nullptr, no_passphrase, nullptr));
    if (!key) return problem(pair.key_key, pair.key + " holds no PEM private key (or it is encrypted)");
    if (X509_check_private_key(cert.get(), key.get()) != 1)
        return problem(pair.key_key, pair.key + " does not match the certificate in " + pair.cert);
    return std::nullopt;
}

std::optional<std::string> check_certificates(const config::Config& cfg) {
    for (const auto& pair : certificate_pairs(cfg))
        if (auto p = check_certificate_pair(pair)) return p;
    return std::nullopt;
}

} // namespace mailpush::app
