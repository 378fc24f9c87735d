// The spool's options: the [spool] keys, plus the directory and host name the server derives
// from [server]. The spool receives only this part of the configuration.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace mailpush::spool {

// A writer's group commit holds at most this many messages, each an open file until it is synced.
inline constexpr unsigned kFilesPerWriter = 64;
// An SMTP message holding more than this in memory is written on to a BodyFile as it arrives.
inline constexpr std::uint64_t kSpillBytes = 256 * 1024;

struct SpoolOptions {
    std::filesystem::path dir;
    unsigned writers = 4;
    std::uint64_t min_free_bytes = 100ULL * 1024 * 1024;
    std::string fault_injection; // "", "write", "fsync", "rename"
    std::string hostname = "localhost";
    std::uint64_t max_inflight_bytes = 256ULL * 1024 * 1024; // message bytes in memory, all sessions
};

} // namespace mailpush::spool
