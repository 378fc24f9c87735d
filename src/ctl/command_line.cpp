#include "command_line.hpp"

#include <string_view>

namespace mailpush::ctl {
namespace {

struct Flag {
    std::string_view name;
    bool takes_value;
};

// Every flag of every command: each command reads the ones its usage line names.
constexpr Flag kFlags[] = {
    {"config", true},
    {"url", true},
    {"token", true},
    {"json", false},
    {"password-stdin", false},
    {"secret-stdin", false},
    {"type", true},
    {"reason", true},
    {"env", true},
    {"daily", true},
    {"monthly", true},
    {"description", true},
    {"subject", true},
    {"body-file", true},
    {"from-alias", true},
    {"address", true},
    {"template", true},
    {"list", true},
    {"tag", true},
    {"address-type", true},
    {"from", true},
    {"to", true},
    {"by", true},
    {"rcpt", true},
    {"status", true},
    {"limit", true},
    {"events", true},
    {"max", true},
    {"keyword", true},
    {"source", true},
    {"set", true},
    {"rsa-bits", true},
    {"ed25519", false},
    {"submission-rate", true},
    {"submission-window", true},
    {"fatigue-limit", true},
    {"fatigue-window", true},
    {"warmup", true},
    {"warmup-start", true},
    {"warmup-growth-percent", true},
    {"warmup-days", true},
    {"sender", true},
    {"envid", true},
    {"track", false},
    {"recipient", true},
    {"domain", true},
    {"state", true},
    {"older-than", true},
    {"newer-than", true},
};

const Flag* find_flag(std::string_view name) {
    for (const auto& f : kFlags)
        if (f.name == name) return &f;
    return nullptr;
}

} // namespace

CommandLine parse_command_line(int argc, const char* const* argv) {
    CommandLine line;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            line.help = true;
            return line;
        }
        if (a == "--version") {
            line.version = true;
            return line;
        }
        if (!a.starts_with("--")) {
            line.args.push_back(a);
            continue;
        }
        const auto name = a.substr(2);
        const Flag* flag = find_flag(name);
        if (flag && !flag->takes_value) {
            line.opts[name] = "1";
        } else if (flag && i + 1 < argc) {
            line.opts[name] = argv[++i];
        } else {
            line.unknown_option = a;
            return line;
        }
    }
    return line;
}

} // namespace mailpush::ctl
