// Opening a listening socket, with an error an operator can act on: which listener, which
// address and port, and why ("cannot listen name=smtp 127.0.0.1:2525: Address already in use").
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <stdexcept>
#include <string>

namespace mailpush::net {

class ListenError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Opens, binds (SO_REUSEADDR) and listens `acceptor` on address:port; throws ListenError.
void open_listener(boost::asio::ip::tcp::acceptor& acceptor, const std::string& name,
                   const std::string& address, unsigned short port, int backlog);

} // namespace mailpush::net
