// What mailpushctl reads besides its arguments: text files for the server, and a line of stdin.
#pragma once

#include <string>

namespace mailpush::ctl {

// A text file as UTF-8 (the server takes nothing else): GB18030/GBK files are converted.
// Throws std::runtime_error when it cannot be read or is neither.
std::string read_text_file(const std::string& path);

// One line of standard input without its line ending (a password or secret).
std::string read_stdin_line();

} // namespace mailpush::ctl
