#include "tls_verify.hpp"

#include <boost/asio/ip/address.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace mailpush::delivery {

void make_verifying(boost::asio::ssl::context& ctx, const std::string& ca_file) {
    ctx.set_verify_mode(boost::asio::ssl::verify_peer);
    ctx.set_default_verify_paths();
    if (!ca_file.empty()) ctx.load_verify_file(ca_file);
}

void expect_peer_name(SSL* ssl, const std::string& host) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (!ec) {
        X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
        return;
    }
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
}

} // namespace mailpush::delivery
