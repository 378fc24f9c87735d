// mailpushctl: the admin command-line client, a thin client of the admin HTTP API.
#include "http_client.hpp"

#include "mailpush/config/config.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <map>
#include <vector>

namespace {
using mailpush::ctl::url_encode;
using nlohmann::json;

constexpr int kExitUsage = 2;

const char* kUsage = R"(usage: mailpushctl [--config FILE | --url URL --token TOKEN] [--json] COMMAND
  account add NAME | list | show NAME | delete NAME | suspend NAME | resume NAME
  domain  add ACCOUNT DOMAIN | list [ACCOUNT] | show DOMAIN | delete DOMAIN
  address add ACCOUNT ADDRESS [--type trigger|batch] | list [ACCOUNT] | show ADDRESS | delete ADDRESS
  address password ADDRESS --password-stdin
  queue   list | show ENVID | delete ENVID | retry ENVID
  events  --env ENVID
  invalid add ACCOUNT ADDRESS [--reason TEXT] | list [ACCOUNT] | remove ACCOUNT ADDRESS
  ip-protection show|enable|disable ACCOUNT | add|remove ACCOUNT IP|A-B|CIDR
--config defaults to $MAILPUSH_CONFIG, then /etc/mailpush/mailpushd.toml.
)";

struct UsageError {
    std::string message;
};

struct Call {
    std::string method, target;
    json body;
    std::vector<std::string> columns; // table columns for people
};

Call build_call(std::vector<std::string> args, std::map<std::string, std::string>& opts) {
    auto need = [&](std::size_t n) {
        if (args.size() < n) throw UsageError{"missing arguments"};
    };
    if (!args.empty() && args[0] == "events") {
        if (!opts.count("env")) throw UsageError{"events needs --env ENVID"};
        return Call{"GET", "/v1/events?env_id=" + url_encode(opts["env"]), nullptr, {}};
    }
    need(2);
    const auto& noun = args[0];
    const auto& verb = args[1];
    auto a = [&](std::size_t i) { return url_encode(args[i]); };
    const std::vector<std::string> acct_cols{"name",        "status",        "region",
                                             "daily_quota", "monthly_quota", "created_at"};
    if (noun == "account") {
        if (verb == "add") return need(3), Call{"POST", "/v1/accounts", {{"name", args[2]}}, acct_cols};
        if (verb == "list") return Call{"GET", "/v1/accounts", nullptr, acct_cols};
        if (verb == "show") return need(3), Call{"GET", "/v1/accounts/" + a(2), nullptr, acct_cols};
        if (verb == "delete") return need(3), Call{"DELETE", "/v1/accounts/" + a(2), nullptr, {"deleted"}};
        if (verb == "suspend" || verb == "resume")
            return need(3), Call{"PATCH",
                                 "/v1/accounts/" + a(2),
                                 {{"status", verb == "suspend" ? "suspended" : "normal"}},
                                 acct_cols};
    } else if (noun == "domain") {
        const std::vector<std::string> cols{"domain", "account", "created_at"};
        if (verb == "add")
            return need(4), Call{"POST", "/v1/domains", {{"account", args[2]}, {"domain", args[3]}}, cols};
        if (verb == "list")
            return Call{"GET", "/v1/domains" + (args.size() > 2 ? "?account=" + a(2) : std::string()),
                        nullptr, cols};
        if (verb == "show") return need(3), Call{"GET", "/v1/domains/" + a(2), nullptr, cols};
        if (verb == "delete") return need(3), Call{"DELETE", "/v1/domains/" + a(2), nullptr, {"deleted"}};
    } else if (noun == "address") {
        const std::vector<std::string> cols{"address", "account", "type", "smtp_password", "created_at"};
        if (verb == "add") {
            need(4);
            return Call{"POST",
                        "/v1/addresses",
                        {{"account", args[2]},
                         {"address", args[3]},
                         {"type", opts.count("type") ? opts["type"] : "trigger"}},
                        cols};
        }
        if (verb == "list")
            return Call{"GET", "/v1/addresses" + (args.size() > 2 ? "?account=" + a(2) : std::string()),
                        nullptr, cols};
        if (verb == "show") return need(3), Call{"GET", "/v1/addresses/" + a(2), nullptr, cols};
        if (verb == "delete") return need(3), Call{"DELETE", "/v1/addresses/" + a(2), nullptr, {"deleted"}};
        if (verb == "password") {
            need(3);
            if (!opts.count("password-stdin")) throw UsageError{"address password needs --password-stdin"};
            std::string pw;
            std::getline(std::cin, pw);
            if (!pw.empty() && pw.back() == '\r') pw.pop_back();
            return Call{"PUT",
                        "/v1/addresses/" + a(2) + "/password",
                        {{"password", pw}},
                        {"address", "smtp_password"}};
        }
    } else if (noun == "queue") {
        const std::vector<std::string> cols{"envid", "mail_from", "recipients", "size", "received_at_ms"};
        if (verb == "list") return Call{"GET", "/v1/queue", nullptr, cols};
        if (verb == "show") return need(3), Call{"GET", "/v1/queue/" + a(2), nullptr, cols};
        if (verb == "delete") return need(3), Call{"DELETE", "/v1/queue/" + a(2), nullptr, {"deleted"}};
        if (verb == "retry")
            return need(3), Call{"POST", "/v1/queue/" + a(2) + "/retry", nullptr, {"envid", "retry"}};
    } else if (noun == "ip-protection") {
        need(3);
        const std::vector<std::string> cols{"enabled", "entries"};
        const std::string base = "/v1/accounts/" + a(2) + "/ip-protection";
        if (verb == "show") return Call{"GET", base, nullptr, cols};
        if (verb == "enable" || verb == "disable")
            return Call{"PATCH", base, {{"enabled", verb == "enable"}}, cols};
        if (verb == "add") return need(4), Call{"POST", base + "/entries", {{"entry", args[3]}}, cols};
        if (verb == "remove") return need(4), Call{"DELETE", base + "/entries/" + a(3), nullptr, cols};
    } else if (noun == "invalid") {
        const std::vector<std::string> cols{"account", "address", "reason", "created_at"};
        if (verb == "add")
            return need(4), Call{"POST",
                                 "/v1/invalid-addresses",
                                 {{"account", args[2]},
                                  {"address", args[3]},
                                  {"reason", opts.count("reason") ? opts["reason"] : "manual"}},
                                 cols};
        if (verb == "list")
            return Call{"GET",
                        "/v1/invalid-addresses" + (args.size() > 2 ? "?account=" + a(2) : std::string()),
                        nullptr, cols};
        if (verb == "remove")
            return need(4),
                   Call{"DELETE", "/v1/invalid-addresses/" + a(2) + "/" + a(3), nullptr, {"deleted"}};
    }
    throw UsageError{"unknown command: " + noun + " " + verb};
}

std::string cell(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_array()) {
        std::string s;
        for (const auto& e : v)
            s += (s.empty() ? "" : ",") +
                 (e.is_object() && e.contains("address") ? cell(e["address"]) : cell(e));
        return s;
    }
    if (v.is_null()) return "";
    return v.dump();
}

void print_table(const json& data, const std::vector<std::string>& cols) {
    const json rows = data.is_array() ? data : json::array({data});
    std::vector<std::size_t> width(cols.size());
    for (std::size_t i = 0; i < cols.size(); ++i)
        width[i] = cols[i].size();
    for (const auto& r : rows)
        for (std::size_t i = 0; i < cols.size(); ++i)
            width[i] = std::max(width[i], cell(r.value(cols[i], json())).size());
    auto line = [&](auto get) {
        for (std::size_t i = 0; i < cols.size(); ++i)
            std::cout << std::left << std::setw(static_cast<int>(width[i] + 2)) << get(i);
        std::cout << "\n";
    };
    line([&](std::size_t i) {
        std::string h = cols[i];
        for (auto& c : h)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return h;
    });
    for (const auto& r : rows)
        line([&](std::size_t i) { return cell(r.value(cols[i], json())); });
}
} // namespace

int main(int argc, char** argv) {
    std::map<std::string, std::string> opts;
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--json" || a == "--password-stdin")
            opts[a.substr(2)] = "1";
        else if ((a == "--config" || a == "--url" || a == "--token" || a == "--type" || a == "--reason" ||
                  a == "--env") &&
                 i + 1 < argc)
            opts[a.substr(2)] = argv[++i];
        else if (a == "--help" || a == "-h") {
            std::cout << kUsage;
            return 0;
        } else if (a.starts_with("--")) {
            std::cerr << "mailpushctl: unknown option " << a << "\n" << kUsage;
            return kExitUsage;
        } else
            args.push_back(a);
    }
    std::string url = opts.count("url") ? opts["url"] : "";
    std::string token = opts.count("token") ? opts["token"] : "";
    try {
        if (url.empty() || token.empty()) {
            std::string path = opts.count("config") ? opts["config"] : "";
            if (path.empty() && std::getenv("MAILPUSH_CONFIG")) path = std::getenv("MAILPUSH_CONFIG");
            if (path.empty()) path = "/etc/mailpush/mailpushd.toml";
            const auto cfg = mailpush::config::load_config(path);
            const std::string host = cfg.http_address == "0.0.0.0" ? "127.0.0.1"
                                     : cfg.http_address == "::"    ? "[::1]"
                                                                   : cfg.http_address;
            if (url.empty()) url = "http://" + host + ":" + std::to_string(cfg.http_port);
            if (token.empty()) token = cfg.admin_token;
        }
        const Call call = build_call(args, opts);
        const auto res = mailpush::ctl::http_request(url, call.method, call.target,
                                                     call.body.is_null() ? "" : call.body.dump(), token);
        const json data = json::parse(res.body, nullptr, false);
        if (res.status >= 400 || data.is_discarded()) {
            if (opts.count("json")) std::cout << res.body << "\n";
            const std::string msg = !data.is_discarded() && data.contains("error")
                                        ? data["error"].value("message", res.body)
                                        : "HTTP " + std::to_string(res.status);
            std::cerr << "mailpushctl: " << msg << "\n";
            return 1;
        }
        if (opts.count("json")) {
            std::cout << data.dump(2) << "\n";
        } else if (call.columns.empty()) { // a list of lines (event strings)
            for (const auto& line : data)
                std::cout << line.get<std::string>() << "\n";
        } else {
            print_table(data, call.columns);
        }
        return 0;
    } catch (const UsageError& e) {
        std::cerr << "mailpushctl: " << e.message << "\n" << kUsage;
        return kExitUsage;
    } catch (const mailpush::config::ConfigError& e) {
        std::cerr << "mailpushctl: " << e.what() << "\n";
        return kExitUsage;
    } catch (const std::exception& e) {
        std::cerr << "mailpushctl: " << e.what() << "\n";
        return 1;
    }
}
