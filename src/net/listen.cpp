#include "mailpush/net/listen.hpp"

#include <boost/asio/ip/address.hpp>

namespace mailpush::net {

void open_listener(boost::asio::ip::tcp::acceptor& acceptor, const std::string& name,
                   const std::string& address, unsigned short port, int backlog) {
    namespace asio = boost::asio;
    const auto where = "cannot listen name=" + name + " " + address + ":" + std::to_string(port) + ": ";
    boost::system::error_code ec;
    const auto ip = asio::ip::make_address(address, ec);
    if (ec) throw ListenError(where + "not an IP address");
    const asio::ip::tcp::endpoint ep(ip, port);
    acceptor.open(ep.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(ep, ec);
    if (!ec) acceptor.listen(backlog, ec);
    if (!ec) return;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    throw ListenError(where + ec.message());
}

} // namespace mailpush::net
