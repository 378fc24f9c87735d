// Durable file writes on POSIX: a file is either absent or whole after a crash. The whole recipe
// is write_file_durably(); its pieces are here too for callers that batch them (the spool writes
// many files, then syncs each, renames them all and syncs the directory once).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace mailpush::common {

// Owns a file descriptor and closes it on every way out of its scope (exceptions too).
class OwnedFd {
public:
    explicit OwnedFd(int fd) noexcept
        : fd_(fd) {}
    ~OwnedFd();
    OwnedFd(const OwnedFd&) = delete;
    OwnedFd& operator=(const OwnedFd&) = delete;
    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }

private:
    int fd_;
};

// Writes all of `data` to `fd` (short writes and EINTR retried). False with errno set on error.
bool write_all(int fd, std::string_view data) noexcept;
// The same at `offset`, the file position left alone.
bool pwrite_all(int fd, std::string_view data, std::uint64_t offset) noexcept;
// Reads exactly `n` bytes at `offset` into `out`; false on an error or an early end of file.
bool pread_all(int fd, char* out, std::size_t n, std::uint64_t offset) noexcept;

// Asks the kernel to start writing `fd`'s data back now, so a later sync_data() waits less.
void start_writeback(int fd) noexcept;

// Waits until `fd`'s data (and its size) are on disk (fdatasync).
bool sync_data(int fd) noexcept;

// Makes the renames, creations and removals in a directory durable (fsync of the directory).
bool sync_directory(int dir_fd) noexcept;
bool sync_directory(const std::filesystem::path& dir) noexcept;

struct DurableWriteOptions {
    unsigned mode = 0600;
    std::string temp_suffix = ".tmp"; // the temporary file is `path` + suffix, or...
    std::string temp_name;            // ...this name in the same directory when set
};

// Writes `content` to a temporary file in `path`'s directory, fsyncs it, renames it over `path`
// and fsyncs the directory. On failure the temporary file is removed and the errno is returned.
std::error_code write_file_durably(const std::filesystem::path& path, std::string_view content,
                                   const DurableWriteOptions& options = {});

} // namespace mailpush::common
