#include "file_modes.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace mailpush::app {
namespace fs = std::filesystem;

std::optional<mode_t> tightened_mode(mode_t perms, bool directory) {
    perms &= 07777;
    const mode_t want = directory ? mode_t{0700} : static_cast<mode_t>(perms & 0600);
    if (want == perms) return std::nullopt;
    return want;
}

namespace {
void secure_entry(const fs::path& path, const std::optional<Owner>& owner, SecureReport& report) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno != ENOENT) // gone since it was listed (a spool commit renamed it): nothing to fix
            report.problems.push_back(path.string() + ": " + std::strerror(errno));
        return;
    }
    if (owner && (st.st_uid != owner->uid || st.st_gid != owner->gid)) {
        if (::lchown(path.c_str(), owner->uid, owner->gid) == 0)
            ++report.chowned;
        else
            report.problems.push_back(path.string() + ": chown: " + std::strerror(errno));
    }
    const bool directory = S_ISDIR(st.st_mode);
    if (!directory && !S_ISREG(st.st_mode)) return; // links, sockets: their own modes do not matter
    if (const auto want = tightened_mode(st.st_mode, directory)) {
        if (::chmod(path.c_str(), *want) == 0)
            report.tightened.push_back({path, static_cast<mode_t>(st.st_mode & 07777), *want});
        else
            report.problems.push_back(path.string() + ": chmod: " + std::strerror(errno));
    }
}

std::string octal(mode_t m) {
    return fmt::format("{:04o}", static_cast<unsigned>(m));
}
} // namespace

SecureReport secure_tree(const fs::path& root, const std::optional<Owner>& owner) {
    SecureReport report;
    secure_entry(root, owner, report);
    std::error_code ec;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
        report.problems.push_back(root.string() + ": " + ec.message());
        return report;
    }
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) {
            report.problems.push_back(root.string() + ": " + ec.message());
            break;
        }
        secure_entry(it->path(), owner, report);
    }
    return report;
}

void secure_data_dir(const fs::path& root, const std::optional<Owner>& owner) {
    constexpr std::size_t kNamed = 20; // a spool of old 0644 files must not flood the log
    const auto report = secure_tree(root, owner);
    for (std::size_t i = 0; i < report.tightened.size() && i < kNamed; ++i) {
        const auto& c = report.tightened[i];
        spdlog::info("data_dir.mode path={} from={} to={}", c.path.string(), octal(c.from), octal(c.to));
    }
    if (report.tightened.size() > kNamed)
        spdlog::info("data_dir.mode more={}", report.tightened.size() - kNamed);
    if (report.chowned > 0 && owner)
        spdlog::info("data_dir.owner entries={} uid={} gid={}", report.chowned, owner->uid, owner->gid);
    for (const auto& p : report.problems)
        spdlog::warn("data_dir.secure error=\"{}\"", p);
}

} // namespace mailpush::app
