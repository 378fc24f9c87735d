#include "data_dir.hpp"

#include <cerrno>
#include <fcntl.h>
#include <string_view>
#include <sys/file.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace mailpush::app {
namespace fs = std::filesystem;

namespace {
[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

void make_directory(const fs::path& dir, mode_t mode) {
    if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) throw_errno("cannot create " + dir.string());
}

std::string read_small_file(int fd) {
    char buf[64];
    const auto n = ::pread(fd, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}
} // namespace

void create_data_dir(const fs::path& dir) {
    const auto absolute = fs::absolute(dir).lexically_normal();
    fs::path partial;
    for (auto it = absolute.begin(); it != absolute.end(); ++it) {
        partial /= *it;
        if (it->empty() || fs::exists(partial)) continue;
        make_directory(partial, std::next(it) == absolute.end() ? 0700 : 0755);
    }
}

DataDirLock::DataDirLock(const fs::path& dir) {
    const auto path = dir / "lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0) throw_errno("cannot open " + path.string());
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        std::string holder = read_small_file(fd_);
        while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' '))
            holder.pop_back();
        ::close(fd_);
        fd_ = -1;
        if (error != EWOULDBLOCK) {
            errno = error;
            throw_errno("cannot lock " + path.string());
        }
        throw DataDirBusy("another mailpushd holds " + dir.string() +
                          (holder.empty() ? std::string() : " (pid " + holder + ")"));
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
        ::close(fd_);
        throw_errno("cannot write " + path.string());
    }
}

DataDirLock::~DataDirLock() {
    if (fd_ >= 0) ::close(fd_);
}

} // namespace mailpush::app
