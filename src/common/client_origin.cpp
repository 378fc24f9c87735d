#include "mailpush/common/client_origin.hpp"

#include <stdexcept>

namespace mailpush::common {

ClientOrigin ClientOrigin::network(std::string ip) {
    if (ip.empty()) throw std::invalid_argument("a network client needs its peer address");
    return ClientOrigin(std::move(ip), false);
}

ClientOrigin ClientOrigin::internal() {
    return ClientOrigin("127.0.0.1", true);
}

} // namespace mailpush::common
