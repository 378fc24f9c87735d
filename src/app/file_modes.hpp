// Owner-only files in the data directory: the rule (pure) and the walk that applies it.
// Files are created owner-only (umask 077, explicit modes); the walk tightens what an older
// version or an operator left looser, and hands the tree to the user the server drops to.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace mailpush::app {

// The permission bits a data-dir entry should have: group and other bits cleared; a directory
// is 0700 (the server must search and write it), a file at most 0600 (nothing in it is a
// program). nullopt when `perms` is already right.
std::optional<mode_t> tightened_mode(mode_t perms, bool directory);

struct Owner {
    uid_t uid;
    gid_t gid;
};

struct ModeChange {
    std::filesystem::path path;
    mode_t from;
    mode_t to;
};

struct SecureReport {
    std::vector<ModeChange> tightened;
    std::size_t chowned = 0;
    std::vector<std::string> problems; // entries that could not be fixed (each names the path)
};

// Walks `root` and everything under it without following symbolic links (a link is never
// chmod'ed or chown'ed: it could point out of the directory). Regular files and directories
// get tightened_mode; with `owner`, every entry (links themselves included) is given to it.
SecureReport secure_tree(const std::filesystem::path& root, const std::optional<Owner>& owner);

// secure_tree, with every change logged (the first few by name, then a count).
void secure_data_dir(const std::filesystem::path& root, const std::optional<Owner>& owner);

} // namespace mailpush::app
