#include "process_guard.hpp"

#include "file_modes.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace mailpush::app {
namespace {
constexpr int kExitConfig = 2;
constexpr int kExitRuntime = 1;
} // namespace

DataDirGuard plan_identity(const config::ServerOptions& server) {
    DataDirGuard g;
    const uid_t euid = ::geteuid();
    if (euid == 0 && !server.user.empty()) g.account = look_up_user(server.user);
    g.plan = plan_privileges(euid, server.user, g.account);
    if (g.plan.action == PrivilegeAction::refuse) throw StartupError(g.plan.message, kExitConfig);
    return g;
}

DataDirGuard guard_data_dir(const config::Config& cfg) {
    auto g = plan_identity(cfg.server);
    const std::filesystem::path dir = cfg.server.data_dir;
    try {
        create_data_dir(dir);
        g.lock = std::make_unique<DataDirLock>(dir);
    } catch (const DataDirBusy& e) {
        throw StartupError(e.what(), kExitRuntime);
    } catch (const std::system_error& e) {
        throw StartupError(std::string("data_dir: ") + e.what(), kExitRuntime);
    }
    secure_data_dir(dir, data_dir_owner(g.plan, g.account));
    return g;
}

void drop_privileges(const DataDirGuard& guard, const config::Config& cfg) {
    if (guard.plan.action != PrivilegeAction::drop) {
        if (guard.plan.warn)
            spdlog::warn("{}", guard.plan.message);
        else
            spdlog::info("{}", guard.plan.message);
        return;
    }
    const auto owner = data_dir_owner(guard.plan, guard.account);
    secure_data_dir(cfg.server.data_dir, owner);
    // A self-signed pair is the server's own, wherever it lives: SIGHUP reloads it as the user.
    if (cfg.tls.self_signed)
        for (const auto& path : {cfg.tls.cert, cfg.tls.key})
            if (!path.empty() && ::lchown(path.c_str(), owner->uid, owner->gid) != 0)
                spdlog::warn("privileges.chown path={} error=\"{}\"", path, std::strerror(errno));
    try {
        drop_to(*guard.account);
    } catch (const std::system_error& e) {
        throw StartupError(std::string("cannot drop privileges: ") + e.what(), kExitRuntime);
    }
    spdlog::info("privileges.dropped user={} uid={} gid={}", guard.account->name, guard.account->uid,
                 guard.account->gid);
}

} // namespace mailpush::app
