// The admin API's changes on the one security event stream.
#include "admin_router.hpp"
#include "admin_util.hpp"

#include "mailpush/common/security_log.hpp"

namespace mailpush::api::detail {

void admin_change_event(const RouteCall& c, std::string_view kind, const std::string& account,
                        const std::string& detail) {
    common::security_event({kind, c.request.peer_ip, account, detail});
}

} // namespace mailpush::api::detail
