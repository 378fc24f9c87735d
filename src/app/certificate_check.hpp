// --check-config for certificate files: each configured certificate and key exists, is readable,
// parses as PEM, has not expired, and the key belongs to the certificate.
#pragma once

#include "mailpush/config/config.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mailpush::app {

struct CertificatePair {
    std::string cert_key; // the config key naming the certificate: "tls.cert"
    std::string key_key;  // and the private key: "tls.key"
    std::string cert;
    std::string key;
    bool made_at_start; // self_signed: missing files are made at the first start, not an error
};

// Every certificate/key pair of the configuration (one row per pair), unset pairs left out.
std::vector<CertificatePair> certificate_pairs(const config::Config& cfg);

// The problem with one pair, as "key 'tls.key': ...", or nullopt when it is usable.
std::optional<std::string> check_certificate_pair(const CertificatePair& pair);

// The first problem over every pair.
std::optional<std::string> check_certificates(const config::Config& cfg);

} // namespace mailpush::app
