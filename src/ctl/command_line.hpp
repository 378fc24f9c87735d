// mailpushctl's command line: the flags it knows (anywhere on the line), and the positional words.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace mailpush::ctl {

struct CommandLine {
    std::map<std::string, std::string> opts; // name without "--": its value, or "1" for a switch
    std::vector<std::string> args;           // command words and positional arguments
    bool help = false;                       // --help or -h
    bool version = false;                    // --version
    std::string unknown_option;              // the first one, or a value flag missing its value
};

CommandLine parse_command_line(int argc, const char* const* argv);

} // namespace mailpush::ctl
