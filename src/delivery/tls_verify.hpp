// Certificate verification for destinations that require TLS (`[delivery] require_tls_domains`):
// the chain against the system's CAs (and `tls_ca_file`), the host name against the certificate.
// Opportunistic TLS to every other destination verifies nothing (RFC 7435). Private to the engine.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <string>

namespace mailpush::delivery {

// Makes `ctx` verify the peer's chain against the system's CAs and those in `ca_file` (if not
// empty). Throws boost::system::system_error when the CA file cannot be loaded.
void make_verifying(boost::asio::ssl::context& ctx, const std::string& ca_file);

// The certificate of the handshake about to run on `ssl` must name `host` (a DNS name, or an IP
// address literal matched against the certificate's IP addresses).
void expect_peer_name(SSL* ssl, const std::string& host);

} // namespace mailpush::delivery
