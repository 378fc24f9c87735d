// mailpushctl: the admin command-line client, a thin client of the admin HTTP API. The commands
// are rows of a table (command.hpp, commands_*.cpp); this file finds the server and runs one.
#include "command.hpp"
#include "command_line.hpp"
#include "http_client.hpp"
#include "output.hpp"

#include "mailpush/common/version.hpp"
#include "mailpush/config/config.hpp"

#include <cstdlib>
#include <iostream>

namespace {
using namespace mailpush::ctl;

constexpr int kExitUsage = 2;

struct Server {
    std::string url, token;
};

// --url and --token, else the daemon's own config file.
Server find_server(const std::map<std::string, std::string>& opts) {
    Server s{opts.count("url") ? opts.at("url") : "", opts.count("token") ? opts.at("token") : ""};
    if (!s.url.empty() && !s.token.empty()) return s;
    std::string path = opts.count("config") ? opts.at("config") : "";
    if (path.empty() && std::getenv("MAILPUSH_CONFIG")) path = std::getenv("MAILPUSH_CONFIG");
    if (path.empty()) path = "/etc/mailpush/mailpushd.toml";
    const auto cfg = mailpush::config::load_config(path);
    const std::string host = cfg.http.address == "0.0.0.0" ? "127.0.0.1"
                             : cfg.http.address == "::"    ? "[::1]"
                                                           : cfg.http.address;
    if (s.url.empty()) s.url = "http://" + host + ":" + std::to_string(cfg.http.port);
    if (s.token.empty()) s.token = cfg.http.admin_token;
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
