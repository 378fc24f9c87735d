#include "mailpush/common/durable_file.hpp"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace mailpush::common {

bool write_all(int fd, std::string_view data) noexcept {
    while (!data.empty()) {
        const auto n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool pwrite_all(int fd, std::string_view data, std::uint64_t offset) noexcept {
    while (!data.empty()) {
        const auto n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
        offset += static_cast<std::uint64_t>(n);
    }
    return true;
}

OwnedFd::~OwnedFd() {
    if (fd_ >= 0) ::close(fd_);
}

bool pread_all(int fd, char* out, std::size_t n, std::uint64_t offset) noexcept {
    while (n > 0) {
        const auto got = ::pread(fd, out, n, static_cast<off_t>(offset));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return false;
        out += got;
        n -= static_cast<std::size_t>(got);
        offset += static_cast<std::uint64_t>(got);
    }
    return true;
}

void start_writeback(int fd) noexcept {
    ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

bool sync_data(int fd) noexcept {
    return ::fdatasync(fd) == 0;
}

bool sync_directory(int dir_fd) noexcept {
    return ::fsync(dir_fd) == 0;
}

bool sync_directory(const std::filesystem::path& dir) noexcept {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = sync_directory(fd);
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return ok;
}

std::error_code write_file_durably(const std::filesystem::path& path, std::string_view content,
                                   const DurableWriteOptions& options) {
    const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    const auto tmp = options.temp_name.empty() ? std::filesystem::path(path.string() + options.temp_suffix)
                                               : dir / options.temp_name;
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, options.mode);
    if (fd < 0) return {errno, std::system_category()};
    bool ok = write_all(fd, content) && ::fsync(fd) == 0;
    int error = ok ? 0 : errno;
    if (::close(fd) != 0 && ok) {
        ok = false;
        error = errno;
    }
    if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
        ok = false;
        error = errno;
    }
    if (!ok) {
        ::unlink(tmp.c_str());
        return {error, std::system_category()};
    }
    if (!sync_directory(dir)) return {errno, std::system_category()};
    return {};
}

} // namespace mailpush::common
