// TLS server context (TLS 1.2+ only, modern ciphers; RFC 8314/8997) and the self-signed
// certificate made on first run for development configs.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace mailpush::net {

// Writes a fresh self-signed EC P-256 certificate and key for `hostname` if either file is missing.
// Returns true if it created them.
bool ensure_self_signed(const std::string& cert_path, const std::string& key_path,
                        const std::string& hostname);

// Throws std::runtime_error naming the file on a bad certificate or key.
std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const std::string& cert_path,
                                                                   const std::string& key_path);

} // namespace mailpush::net
