#include "privileges.hpp"

#include "mailpush/config/config.hpp"

#include <cerrno>
#include <grp.h>
#include <pwd.h>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace mailpush::app {

std::optional<UserAccount> look_up_user(const std::string& name) {
    std::vector<char> buf(16384);
    passwd entry{};
    passwd* found = nullptr;
    if (::getpwnam_r(name.c_str(), &entry, buf.data(), buf.size(), &found) != 0 || !found)
        return std::nullopt;
    return UserAccount{found->pw_name, found->pw_uid, found->pw_gid};
}

PrivilegePlan plan_privileges(uid_t euid, const std::string& user,
                              const std::optional<UserAccount>& account) {
    const std::string uid = std::to_string(euid);
    if (euid != 0)
        return {PrivilegeAction::keep, "privileges.keep uid=" + uid + " reason=\"not started as root\""};
    if (user.empty())
        return {PrivilegeAction::keep, "privileges.keep uid=0 reason=\"server.user is empty\"", true};
    // The shipped default names a user a package creates; on a host without it (a laptop, a
    // test rig) the server still starts, loudly. A user named on purpose must exist.
    if (!account && user == config::ServerOptions{}.user)
        return {PrivilegeAction::keep,
                "privileges.keep uid=0 reason=\"the default server.user \"" + user +
                    "\" does not exist: running as root; create it or set [server] user\"",
                true};
    if (!account)
        return {PrivilegeAction::refuse, "key 'server.user': no user \"" + user +
                                             "\" on this host (create it, e.g. useradd --system --home-dir "
                                             "/var/lib/mailpush --shell /usr/sbin/nologin " +
                                             user + ")"};
    if (account->uid == 0)
        return {PrivilegeAction::keep, "privileges.keep uid=0 reason=\"server.user is root\"", true};
    return {PrivilegeAction::drop, ""};
}

std::optional<Owner> data_dir_owner(const PrivilegePlan& plan, const std::optional<UserAccount>& account) {
    if (plan.action != PrivilegeAction::drop || !account) return std::nullopt;
    return Owner{account->uid, account->gid};
}

void drop_to(const UserAccount& account) {
    auto fail = [](const std::string& what) {
        throw std::system_error(errno, std::generic_category(), what);
    };
    if (::initgroups(account.name.c_str(), account.gid) != 0) fail("initgroups " + account.name);
    if (::setgid(account.gid) != 0) fail("setgid " + std::to_string(account.gid));
    if (::setuid(account.uid) != 0) fail("setuid " + std::to_string(account.uid));
    if (::setuid(0) == 0 || ::geteuid() == 0) {
        errno = EPERM;
        fail("root could be regained after dropping to " + account.name);
    }
}

} // namespace mailpush::app
