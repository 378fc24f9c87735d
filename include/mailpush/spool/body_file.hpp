// A message body written to the spool's tmp/ as it arrives (a large SMTP message), before its
// commit. The file starts with room for the queue file's header and trace fields, so the commit
// fills that room, adds the rest of the body and the trailer, and renames this same file into
// the queue: a large body is written once and never held whole in memory. The file is opened
// for each append, so a session in DATA holds no descriptor. Blocking I/O: off the event loop.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mailpush::spool {

class BodyFile {
public:
    ~BodyFile(); // removes the file unless a commit took it
    BodyFile(const BodyFile&) = delete;
    BodyFile& operator=(const BodyFile&) = delete;

    // Appends body bytes; false (and every later call false) if the write failed.
    bool append(std::string_view bytes);
    std::uint64_t size() const { return size_; } // body bytes written
    std::uint64_t room() const { return room_; } // bytes kept in front for the header
    const std::string& path() const { return path_; }

private:
    friend class Spool;
    BodyFile(std::string path, std::uint64_t room, bool fail_writes);
    std::string path_;
    std::uint64_t room_;
    std::uint64_t size_ = 0;
    bool failed_ = false;
    bool taken_ = false; // renamed into the queue (or copied): not ours to remove
};

} // namespace mailpush::spool
