#include "mailpush/spool/body_file.hpp"

#include "mailpush/common/durable_file.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace mailpush::spool {

BodyFile::BodyFile(std::string path, std::uint64_t room, bool fail_writes)
    : path_(std::move(path))
    , room_(room)
    , failed_(fail_writes) {}

BodyFile::~BodyFile() {
    if (!taken_) ::unlink(path_.c_str());
}

bool BodyFile::append(std::string_view bytes) {
    if (failed_) return false;
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
    failed_ = fd < 0 || !common::pwrite_all(fd, bytes, room_ + size_);
    // Written back as it comes, so the commit's fdatasync has little left to wait for (and does
    // not stall the other messages of its group commit).
    if (!failed_) common::start_writeback(fd);
    if (fd >= 0) ::close(fd);
    if (!failed_) size_ += bytes.size();
    return !failed_;
}

} // namespace mailpush::spool
