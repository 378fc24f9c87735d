// Who a request comes from: a network client, whose address the listener read once at accept, or
// the server itself (send tasks, system mail), which is trusted. There is no "unknown" origin: a
// listener closes a connection whose peer address it cannot read.
#pragma once

#include <string>

namespace mailpush::common {

class ClientOrigin {
public:
    // `ip` is the peer address as text; it must not be empty (throws std::invalid_argument).
    static ClientOrigin network(std::string ip);
    // The server's own work: skips the checks that protect an account from other networks.
    static ClientOrigin internal();

    bool trusted() const { return trusted_; }
    // The network client's address; for internal work the loopback address that Received:
    // headers and logs record.
    const std::string& ip() const { return ip_; }

private:
    ClientOrigin(std::string ip, bool trusted)
        : ip_(std::move(ip))
        , trusted_(trusted) {}
    std::string ip_;
    bool trusted_;
};

} // namespace mailpush::common
