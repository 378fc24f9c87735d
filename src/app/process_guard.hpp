// What mailpushd does about its identity and its data directory, in start order:
// guard_data_dir() before anything touches the spool, drop_privileges() once every listener is
// bound. Errors are one line for the operator.
#pragma once

#include "data_dir.hpp"
#include "privileges.hpp"

#include "mailpush/config/config.hpp"

#include <memory>
#include <optional>
#include <stdexcept>

namespace mailpush::app {

class StartupError : public std::runtime_error {
public:
    StartupError(const std::string& what, int exit_code)
        : std::runtime_error(what)
        , exit_code_(exit_code) {}
    int exit_code() const { return exit_code_; }

private:
    int exit_code_;
};

struct DataDirGuard {
    PrivilegePlan plan;
    std::optional<UserAccount> account;
    std::unique_ptr<DataDirLock> lock; // held until the process exits
};

// The privilege plan for this process (throws StartupError, exit 2, when it must refuse).
DataDirGuard plan_identity(const config::ServerOptions& server);

// Plans the identity, creates data_dir (0700), takes its lock (StartupError, exit 1, when another
// server holds it), tightens modes and, when root will drop, hands the tree to the user.
DataDirGuard guard_data_dir(const config::Config& cfg);

// Root only: the files made since guard_data_dir (databases, keys, a self-signed pair) go to the
// user too, then the process becomes that user. Otherwise logs why it keeps its identity.
void drop_privileges(const DataDirGuard& guard, const config::Config& cfg);

} // namespace mailpush::app
