// The data directory: made owner-only, and held by one mailpushd at a time.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace mailpush::app {

// Creates `dir` (0700) if it is missing; its missing parents get 0755 so that the user the
// server drops to can still reach it. An existing directory is left as it is (see file_modes).
void create_data_dir(const std::filesystem::path& dir);

// Thrown when another process holds the lock: what() is the one line to print.
class DataDirBusy : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// An exclusive flock on {dir}/lock for the life of the process, taken before anything touches
// the spool: a second server on the same directory would run recovery on a live spool. The lock
// file holds the holder's pid, for the message the second one prints.
class DataDirLock {
public:
    explicit DataDirLock(const std::filesystem::path& dir); // throws DataDirBusy, or std::system_error
    ~DataDirLock();
    DataDirLock(const DataDirLock&) = delete;
    DataDirLock& operator=(const DataDirLock&) = delete;

private:
    int fd_ = -1;
};

} // namespace mailpush::app
