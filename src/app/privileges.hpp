// Dropping root after the listeners are bound: the decision (pure) and the system calls.
#pragma once

#include "file_modes.hpp"

#include <optional>
#include <string>
#include <sys/types.h>

namespace mailpush::app {

struct UserAccount {
    std::string name;
    uid_t uid;
    gid_t gid;
};

// The entry of /etc/passwd (or NSS) for `name`; nullopt when there is none.
std::optional<UserAccount> look_up_user(const std::string& name);

enum class PrivilegeAction {
    keep,   // run as started: not root, or no user to drop to
    drop,   // bind as root, then become `account`
    refuse, // root, but the configured user does not exist: do not start
};

struct PrivilegePlan {
    PrivilegeAction action;
    std::string message; // the log line (keep), or the error naming the key (refuse)
    bool warn = false;   // keep while root: worth a warning
};

// `user` is [server] user ("" = keep the starting identity); `account` its look-up.
PrivilegePlan plan_privileges(uid_t euid, const std::string& user, const std::optional<UserAccount>& account);

// The owner the data directory must have: the account dropped to, or nobody to change.
std::optional<Owner> data_dir_owner(const PrivilegePlan& plan, const std::optional<UserAccount>& account);

// Supplementary groups of `account` (a group like ssl-cert may grant the key file), then its
// group, then its user; verifies that root cannot be regained. Throws std::system_error.
void drop_to(const UserAccount& account);

} // namespace mailpush::app
