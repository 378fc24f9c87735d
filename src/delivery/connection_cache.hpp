// Idle outbound SMTP connections kept for a moment after a successful transaction, so that the
// next message to the same destination reuses them (several messages per connection, as
// Postfix's connection cache). Thread-safe; bounded per destination; entries expire.
#pragma once

#include "mailpush/smtp/client_session.hpp"

#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mailpush::delivery {

struct OpenConnection {
    OpenConnection(boost::asio::any_io_executor ex, smtp::ClientOptions options)
        : stream(ex)
        , session(std::move(options)) {}
    boost::beast::tcp_stream stream;
    std::unique_ptr<boost::asio::ssl::stream<boost::beast::tcp_stream&>> tls;
    smtp::ClientSession session;
    std::string name; // "mx.example.com[192.0.2.1]:25"
    std::chrono::steady_clock::time_point idle_since;
    unsigned transactions = 0;
    std::string tls_error;     // set when the STARTTLS handshake failed on this connection
    bool tls_verified = false; // its TLS verified the certificate (a require_tls_domains attempt)
};

class ConnectionCache {
public:
    ConnectionCache(std::chrono::milliseconds idle_limit, std::size_t per_destination,
                    unsigned max_transactions)
        : idle_limit_(idle_limit)
        , per_destination_(per_destination)
        , max_transactions_(max_transactions) {}

    // A live idle connection for `key`, or nullptr.
    std::shared_ptr<OpenConnection> take(const std::string& key);
    // Keeps `c` (ready for another transaction) unless the destination already has enough or
    // it carried `max_transactions` messages (0: the cache's own limit); else closes it.
    void put(const std::string& key, std::shared_ptr<OpenConnection> c, unsigned max_transactions = 0);
    void clear();

private:
    void expire(std::chrono::steady_clock::time_point now);
    std::chrono::milliseconds idle_limit_;
    std::size_t per_destination_;
    unsigned max_transactions_;
    std::mutex mutex_;
    std::map<std::string, std::vector<std::shared_ptr<OpenConnection>>> idle_;
};

} // namespace mailpush::delivery
