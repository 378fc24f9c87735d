// mailpushctl: the admin command-line client, a thin client of the admin HTTP API. The commands
// are rows of a table (command.hpp, commands_*.cpp); this file finds the server and runs one.
#include "command.hpp"
#include "command_line.hpp"
#include "http_client.hpp"
#include "output.hpp"

#include "mailpush/common/version.hpp"
#include "mailpush/config/config.hpp"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <stdexcept>

namespace {
using namespace mailpush::ctl;

constexpr int kExitUsage = 2;

struct Server {
    std::string url, token;
};

// The first non-blank line of the daemon's token file; "" when it cannot be read.
std::string read_token_file(const std::string& path) {
    std::ifstream in(path);
    std::string token;
    std::getline(in, token);
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back())))
        token.pop_back();
    return token;
}

// --url and --token, else the daemon's own config file: the
// admin listener's address, and its token file (the config's [admin] token when that is unreadable).
Server find_server(const std::map<std::string, std::string>& opts) {
    const auto env = [](const char* name) { return std::string(std::getenv(name) ? std::getenv(name) : ""); };
    Server s{opts.count("url") ? opts.at("url") : "", opts.count("token") ? opts.at("token") : ""};
    if (!s.url.empty() && !s.token.empty()) return s;
    std::string path = opts.count("config") ? opts.at("config") : "";
    if (path.empty()) path = env("MAILPUSH_CONFIG");
    if (path.empty()) path = "/etc/mailpush/mailpushd.toml";
    const auto cfg = mailpush::config::load_config(path);
    if (s.url.empty() && !cfg.admin.socket.empty())
        throw std::runtime_error("the admin listener is the unix socket " + cfg.admin.socket +
                                 "; mailpushctl speaks TCP: give --url of a TCP admin listener");
    const std::string host = cfg.admin.address == "0.0.0.0" ? "127.0.0.1"
                             : cfg.admin.address == "::"    ? "[::1]"
                             : cfg.admin.address.find(':') != std::string::npos
                                 ? "[" + cfg.admin.address + "]"
                                 : cfg.admin.address;
    if (s.url.empty()) s.url = "http://" + host + ":" + std::to_string(cfg.admin.port);
    if (s.token.empty()) s.token = read_token_file(cfg.admin.token_file);
    if (s.token.empty()) s.token = cfg.admin.token;
    if (s.token.empty())
        throw std::runtime_error("no admin token: cannot read " + cfg.admin.token_file +
                                 " (run as its owner, or give --token)");
    return s;
}

} // namespace

int main(int argc, char** argv) {
    const auto line = parse_command_line(argc, argv);
    if (line.help) {
        std::cout << usage_text();
        return 0;
    }
    if (line.version) {
        std::cout << "mailpushctl " << mailpush::common::version() << "\n";
        return 0;
    }
    if (!line.unknown_option.empty()) {
        std::cerr << "mailpushctl: unknown option " << line.unknown_option << "\n" << usage_text();
        return kExitUsage;
    }
    try {
        const auto server = find_server(line.opts);
        const auto invocation = find_command(line.args, line.opts);
        const Call call = invocation.command.build(invocation);
        if (call.paged)
            return print_pages(
                call,
                [&](const std::string& target) {
                    return http_request(server.url, "GET", target, "", server.token);
                },
                line.opts.count("json") != 0);
        const auto reply = http_request(server.url, call.method, call.target,
                                        call.body.is_null() ? "" : call.body.dump(), server.token);
        return print_reply(call, reply, line.opts.count("json") != 0);
    } catch (const UsageError& e) {
        std::cerr << "mailpushctl: " << e.message << "\n" << usage_text();
        return kExitUsage;
    } catch (const mailpush::config::ConfigError& e) {
        std::cerr << "mailpushctl: " << e.what() << "\n";
        return kExitUsage;
    } catch (const std::exception& e) {
        std::cerr << "mailpushctl: " << e.what() << "\n";
        return 1;
    }
}
