// mailpushctl: the admin command-line client, a thin client of the admin HTTP API.
#include "http_client.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/config/config.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <iconv.h>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
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
  invalid add ACCOUNT ADDRESS [--reason TEXT] | remove ACCOUNT ADDRESS
          list|export [ACCOUNT] [--from DATE] [--to DATE] [--keyword TEXT]   (export: CSV)
  ip-protection show|enable|disable ACCOUNT | add|remove ACCOUNT IP|A-B|CIDR
  account quota ACCOUNT [--daily N] [--monthly N] | usage ACCOUNT
  domain  verify DOMAIN | records DOMAIN
  address reply-to ADDRESS REPLY_TO_ADDRESS
  accesskey create ACCOUNT | list [ACCOUNT] | delete ACCESS_KEY_ID
  tag     add ACCOUNT NAME [--description TEXT] | list [ACCOUNT] | delete ACCOUNT NAME
          rename ACCOUNT NAME NEW_NAME
  list    add ACCOUNT NAME ALIAS [--description TEXT] | list [ACCOUNT] | show ACCOUNT NAME
          delete ACCOUNT NAME | upload ACCOUNT NAME FILE.csv|FILE.txt | members ACCOUNT NAME
          remove ACCOUNT NAME ADDRESS
  template add ACCOUNT NAME --subject TEXT --body-file FILE [--type html|text] [--from-alias TEXT]
          edit ACCOUNT NAME --subject TEXT --body-file FILE [--type ..] [--from-alias ..]
          list [ACCOUNT] | show ACCOUNT NAME | delete ACCOUNT NAME
          submit|approve ACCOUNT NAME | reject ACCOUNT NAME [--reason TEXT]
  task    send ACCOUNT --address ADDRESS --template NAME --list NAME [--tag NAME] [--address-type 0|1]
          list [ACCOUNT]
  stats   ACCOUNT [--from DATE] [--to DATE] [--by day|sender|tag] [--address A] [--tag T]
  details ACCOUNT [--from DATE[ HH:MM]] [--to ..] [--address A] [--rcpt R] [--tag T] [--status 0|2|3|4]
  notify  set ACCOUNT queue|URL [--address ADDRESS] [--events TYPE,..] [--secret-stdin]
          list [ACCOUNT] | clear ACCOUNT [--address ADDRESS]
          receive ACCOUNT [--max N] | delete ACCOUNT RECEIPT.. | size ACCOUNT
--config defaults to $MAILPUSH_CONFIG, then /etc/mailpush/mailpushd.toml.
)";

struct UsageError {
    std::string message;
};

struct Call {
    std::string method, target;
    json body;
    std::vector<std::string> columns; // table columns for people
    std::string rows_key = "";        // the table is this member of the reply, not the reply
    bool raw = false;                 // print the reply's body as it is (a CSV export)
};

// GB18030 (a superset of GBK, what spreadsheet programs on Chinese systems save) to UTF-8.
std::optional<std::string> gb18030_to_utf8(const std::string& in) {
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
    std::string out(in.size() * 2 + 16, '\0');
    char* src = const_cast<char*>(in.data()); // iconv's interface; it does not write through it
    char* dst = out.data();
    std::size_t left = in.size(), room = out.size();
    const auto rc = iconv(cd, &src, &left, &dst, &room);
    iconv_close(cd);
    if (rc == static_cast<std::size_t>(-1) || left != 0) return std::nullopt;
    out.resize(out.size() - room);
    return out;
}

// A text file for the server, which takes UTF-8 only: GB18030/GBK files are converted.
std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    std::string content = text.str();
    if (mailpush::common::valid_utf8(content)) return content;
    if (auto converted = gb18030_to_utf8(content); converted && mailpush::common::valid_utf8(*converted))
        return *converted;
    throw std::runtime_error(path + " is neither UTF-8 nor GB18030/GBK text");
}

std::optional<std::int64_t> number_opt(std::map<std::string, std::string>& opts, const char* name) {
    if (!opts.count(name)) return std::nullopt;
    try {
        std::size_t used = 0;
        const auto v = std::stoll(opts[name], &used);
        if (used != opts[name].size() || v < 0) throw std::invalid_argument(name);
        return v;
    } catch (const std::exception&) {
        throw UsageError{std::string("--") + name + " needs a whole number"};
    }
}

// Commands for the account model beyond accounts/domains/addresses (SPEC §6).
std::optional<Call> build_content_call(const std::string& noun, const std::string& verb,
                                       const std::vector<std::string>& args,
                                       std::map<std::string, std::string>& opts) {
    auto need = [&](std::size_t n) {
        if (args.size() < n) throw UsageError{"missing arguments"};
    };
    auto a = [&](std::size_t i) { return url_encode(args[i]); };
    auto filter = [&](const std::string& base) {
        return base + (args.size() > 2 ? "?account=" + a(2) : std::string());
    };
    if (noun == "stats" || noun == "details") { // `stats ACCOUNT [...]`: the verb is the account
        std::string q = "?account=" + url_encode(verb);
        for (const char* o : {"from", "to", "tag", "rcpt", "status", "limit", "by"})
            if (opts.count(o)) q += std::string("&") + o + "=" + url_encode(opts[o]);
        if (opts.count("address")) q += "&sender=" + url_encode(opts["address"]);
        if (noun == "stats")
            return Call{"GET",
                        "/v1/stats" + q,
                        nullptr,
                        {"key", "total", "success", "failed", "invalid", "success_rate", "invalid_rate"}};
        return Call{"GET",
                    "/v1/details" + q,
                    nullptr,
                    {"env_id", "sender", "rcpt", "tag", "status", "failed_type", "reply"}};
    }
    if (noun == "account" && verb == "quota") {
        need(3);
        json body = json::object();
        if (auto d = number_opt(opts, "daily")) body["daily_quota"] = *d;
        if (auto m = number_opt(opts, "monthly")) body["monthly_quota"] = *m;
        if (body.empty())
            return Call{"GET", "/v1/accounts/" + a(2), nullptr, {"name", "daily_quota", "monthly_quota"}};
        return Call{"PATCH", "/v1/accounts/" + a(2), body, {"name", "daily_quota", "monthly_quota"}};
    }
    if (noun == "account" && verb == "usage")
        return need(3),
               Call{"GET",
                    "/v1/accounts/" + a(2) + "/usage",
                    nullptr,
                    {"account", "day", "day_used", "daily_quota", "month", "month_used", "monthly_quota"}};
    if (noun == "domain" && (verb == "verify" || verb == "records")) {
        need(3);
        // One row per DNS record: what to publish, and what the last check found.
        return Call{verb == "verify" ? "POST" : "GET",
                    "/v1/domains/" + a(2) + (verb == "verify" ? "/verify" : ""),
                    nullptr,
                    {"purpose", "type", "host", "value", "status", "found"},
                    "records"};
    }
    if (noun == "address" && verb == "reply-to")
        return need(4), Call{"PUT",
                             "/v1/addresses/" + a(2) + "/reply-to",
                             {{"reply_to", args[3]}},
                             {"address", "reply_to", "reply_to_status"}};
    if (noun == "accesskey") {
        const std::vector<std::string> cols{"AccessKeyId", "account", "created_at"};
        if (verb == "create")
            return need(3),
                   Call{
                       "POST", "/v1/access-keys", {{"account", args[2]}}, {"AccessKeyId", "AccessKeySecret"}};
        if (verb == "list") return Call{"GET", filter("/v1/access-keys"), nullptr, cols};
        if (verb == "delete") return need(3), Call{"DELETE", "/v1/access-keys/" + a(2), nullptr, {"deleted"}};
    }
    if (noun == "notify") {
        const std::vector<std::string> cols{"account", "address", "target", "events", "secret"};
        const std::string address = opts.count("address") ? opts["address"] : "";
        if (verb == "set") {
            need(4);
            json body{{"account", args[2]}, {"address", address}, {"target", args[3]}};
            if (opts.count("events")) {
                body["events"] = json::array();
                std::stringstream list(opts["events"]);
                for (std::string e; std::getline(list, e, ',');)
                    if (!e.empty()) body["events"].push_back(e);
            }
            if (opts.count("secret-stdin")) {
                std::string secret;
                std::getline(std::cin, secret);
                if (!secret.empty() && secret.back() == '\r') secret.pop_back();
                body["secret"] = secret;
            }
            return Call{"PUT", "/v1/notify", body, cols};
        }
        if (verb == "list") return Call{"GET", filter("/v1/notify"), nullptr, cols};
        if (verb == "clear")
            return need(3), Call{"DELETE",
                                 "/v1/notify?account=" + a(2) + "&address=" + url_encode(address),
                                 nullptr,
                                 {"deleted"}};
        if (verb == "receive") {
            need(3);
            json body{{"account", args[2]}};
            if (auto max = number_opt(opts, "max")) body["max"] = *max;
            return Call{"POST", "/v1/notify/receive", body, {"receipt", "type", "dequeue_count", "message"}};
        }
        if (verb == "delete") {
            need(4);
            return Call{
                "POST",
                "/v1/notify/delete",
                {{"account", args[2]}, {"receipts", std::vector<std::string>(args.begin() + 3, args.end())}},
                {"deleted", "unmatched"}};
        }
        if (verb == "size")
            return need(3), Call{"GET", "/v1/notify/queue?account=" + a(2), nullptr, {"account", "messages"}};
    }
    if (noun == "tag") {
        const std::vector<std::string> cols{"account", "name", "description", "created_at"};
        if (verb == "add")
            return need(4), Call{"POST",
                                 "/v1/tags",
                                 {{"account", args[2]},
                                  {"name", args[3]},
                                  {"description", opts.count("description") ? opts["description"] : ""}},
                                 cols};
        if (verb == "list") return Call{"GET", filter("/v1/tags"), nullptr, cols};
        if (verb == "delete")
            return need(4), Call{"DELETE", "/v1/tags/" + a(2) + "/" + a(3), nullptr, {"deleted"}};
        if (verb == "rename")
            return need(5), Call{"PATCH", "/v1/tags/" + a(2) + "/" + a(3), {{"name", args[4]}}, cols};
    }
    if (noun == "list") {
        const std::vector<std::string> cols{"account", "name", "alias", "count", "description", "created_at"};
        const std::string base = "/v1/receiver-lists";
        if (verb == "add")
            return need(5), Call{"POST",
                                 base,
                                 {{"account", args[2]},
                                  {"name", args[3]},
                                  {"alias", args[4]},
                                  {"description", opts.count("description") ? opts["description"] : ""}},
                                 cols};
        if (verb == "list") return Call{"GET", filter(base), nullptr, cols};
        if (verb == "show") return need(4), Call{"GET", base + "/" + a(2) + "/" + a(3), nullptr, cols};
        if (verb == "delete")
            return need(4), Call{"DELETE", base + "/" + a(2) + "/" + a(3), nullptr, {"deleted"}};
        if (verb == "upload") {
            // Read before building the Call: GCC 12 leaks aggregate members already built when
            // a later initializer throws.
            need(5);
            json body{{"content", read_file(args[4])}};
            return Call{"POST",
                        base + "/" + a(2) + "/" + a(3) + "/upload",
                        std::move(body),
                        {"line", "EAddr", "reason"},
                        "errors"};
        }
        if (verb == "members")
            return need(4), Call{"GET",
                                 base + "/" + a(2) + "/" + a(3) + "/members",
                                 nullptr,
                                 {"EAddr", "UserName", "NickName", "Gender", "Birthday", "Mobile"}};
        if (verb == "remove")
            return need(5),
                   Call{"DELETE", base + "/" + a(2) + "/" + a(3) + "/members/" + a(4), nullptr, {"deleted"}};
    }
    if (noun == "template") {
        const std::vector<std::string> cols{"account", "name", "status", "type", "subject", "updated_at"};
        const std::string base = "/v1/templates";
        auto content = [&](json body) {
            if (!opts.count("subject") || !opts.count("body-file"))
                throw UsageError{"template " + verb + " needs --subject and --body-file"};
            body["subject"] = opts["subject"];
            body["body"] = read_file(opts["body-file"]);
            body["type"] = opts.count("type") ? opts["type"] : "html";
            body["from_alias"] = opts.count("from-alias") ? opts["from-alias"] : "";
            return body;
        };
        if (verb == "add")
            return need(4), [&] {
                json body = content({{"account", args[2]}, {"name", args[3]}}); // may throw: before the Call
                return Call{"POST", base, std::move(body), cols};
            }();
        if (verb == "edit")
            return need(4), [&] {
                json body = content(json::object()); // may throw: before the Call
                return Call{"PUT", base + "/" + a(2) + "/" + a(3), std::move(body), cols};
            }();
        if (verb == "list") return Call{"GET", filter(base), nullptr, cols};
        if (verb == "show") return need(4), Call{"GET", base + "/" + a(2) + "/" + a(3), nullptr, cols};
        if (verb == "delete")
            return need(4), Call{"DELETE", base + "/" + a(2) + "/" + a(3), nullptr, {"deleted"}};
        if (verb == "submit" || verb == "approve" || verb == "reject")
            return need(4), Call{"POST",
                                 base + "/" + a(2) + "/" + a(3) + "/" + verb,
                                 {{"reason", opts.count("reason") ? opts["reason"] : ""}},
                                 cols};
    }
    if (noun == "task") {
        const std::vector<std::string> cols{"id",     "account", "template", "receivers",
                                            "status", "total",   "queued",   "skipped"};
        if (verb == "list") return Call{"GET", filter("/v1/tasks"), nullptr, cols};
        if (verb == "send") {
            need(3);
            for (const char* o : {"address", "template", "list"})
                if (!opts.count(o)) throw UsageError{std::string("task send needs --") + o};
            const auto address_type = number_opt(opts, "address-type").value_or(1); // may throw: first
            return Call{"POST",
                        "/v1/tasks",
                        {{"account", args[2]},
                         {"address", opts["address"]},
                         {"template", opts["template"]},
                         {"receivers", opts["list"]},
                         {"tag", opts.count("tag") ? opts["tag"] : ""},
                         {"address_type", address_type}},
                        cols};
        }
    }
    return std::nullopt;
}

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
        const std::vector<std::string> cols{"domain", "account", "verified", "created_at"};
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
        if (verb == "list" || verb == "export") {
            std::string q = "?account=" + (args.size() > 2 ? a(2) : std::string());
            for (const char* o : {"from", "to", "keyword"})
                if (opts.count(o)) q += std::string("&") + o + "=" + url_encode(opts[o]);
            if (verb == "list") return Call{"GET", "/v1/invalid-addresses" + q, nullptr, cols};
            Call csv{"GET", "/v1/invalid-addresses" + q + "&format=csv", nullptr, {}};
            csv.raw = true;
            return csv;
        }
        if (verb == "remove")
            return need(4),
                   Call{"DELETE", "/v1/invalid-addresses/" + a(2) + "/" + a(3), nullptr, {"deleted"}};
    }
    if (auto call = build_content_call(noun, verb, args, opts)) return *call;
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
        if (a == "--json" || a == "--password-stdin" || a == "--secret-stdin")
            opts[a.substr(2)] = "1";
        else if ((a == "--config" || a == "--url" || a == "--token" || a == "--type" || a == "--reason" ||
                  a == "--env" || a == "--daily" || a == "--monthly" || a == "--description" ||
                  a == "--subject" || a == "--body-file" || a == "--from-alias" || a == "--address" ||
                  a == "--template" || a == "--list" || a == "--tag" || a == "--address-type" ||
                  a == "--from" || a == "--to" || a == "--by" || a == "--rcpt" || a == "--status" ||
                  a == "--limit" || a == "--events" || a == "--max" || a == "--keyword") &&
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
            const std::string host = cfg.http.address == "0.0.0.0" ? "127.0.0.1"
                                     : cfg.http.address == "::"    ? "[::1]"
                                                                   : cfg.http.address;
            if (url.empty()) url = "http://" + host + ":" + std::to_string(cfg.http.port);
            if (token.empty()) token = cfg.http.admin_token;
        }
        const Call call = build_call(args, opts);
        const auto res = mailpush::ctl::http_request(url, call.method, call.target,
                                                     call.body.is_null() ? "" : call.body.dump(), token);
        if (call.raw && res.status < 400) {
            std::cout << res.body;
            return 0;
        }
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
            if (!call.rows_key.empty()) { // a summary line of the reply's other members, then the rows
                std::string summary;
                for (const auto& [k, v] : data.items())
                    if (k != call.rows_key && !v.is_array() && !v.is_object())
                        summary += (summary.empty() ? "" : "  ") + k + "=" + cell(v);
                if (!summary.empty()) std::cout << summary << "\n";
            }
            print_table(call.rows_key.empty() ? data : data.value(call.rows_key, json::array()),
                        call.columns);
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
