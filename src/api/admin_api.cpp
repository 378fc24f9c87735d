// Admin API routes. Every error is a JSON object {"error":{"code","message"}} with a fitting
// HTTP status; nothing is changed when a request is refused.
#include "mailpush/api/admin_api.hpp"

#include "admin_util.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/common/url.hpp"
#include "mailpush/delivery/delivery_log.hpp"
#include "mailpush/delivery/engine.hpp"
#include "mailpush/spool/spool.hpp"
#include "mailpush/store/store.hpp"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include <map>
#include <vector>

namespace mailpush::api {
using common::percent_decode;
using nlohmann::json;

using namespace detail;

namespace {
json to_json(const store::Account& a) {
    return {{"name", a.name},
            {"status", a.status},
            {"region", a.region},
            {"daily_quota", a.daily_quota},
            {"monthly_quota", a.monthly_quota},
            {"created_at", a.created_at}};
}
json to_json(const store::Domain& d) {
    const json records = records_json(d.checks);
    return {{"domain", d.name},       {"account", d.account}, {"created_at", d.created_at},
            {"verified", d.verified}, {"records", records},   {"id", d.id}};
}
json to_json(const store::Address& a) {
    return {{"address", a.address},
            {"account", a.account},
            {"type", a.type},
            {"smtp_password", a.has_password},
            {"reply_to", a.reply_to},
            {"reply_to_status", a.reply_to_status},
            {"created_at", a.created_at},
            {"id", a.id}};
}
json to_json(const store::InvalidAddress& i) {
    return {
        {"account", i.account}, {"address", i.address}, {"reason", i.reason}, {"created_at", i.created_at}};
}
// One CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
std::string csv_field(const std::string& v) {
    if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
    std::string out = "\"";
    for (char c : v)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

// GET /v1/invalid-addresses: the console's search (account, keyword, days added) and its export
// (`format=csv`, a file the user cleans their own lists with).
ApiResponse invalid_addresses(store::Store& store, const std::map<std::string, std::string>& query) {
    const auto q = [&](const char* k) { return query.count(k) ? query.at(k) : std::string(); };
    const store::InvalidFilter filter{q("keyword"), q("from"), q("to")};
    for (const auto* day : {&filter.from_day, &filter.to_day})
        if (!day->empty() && (day->size() != 10 || !common::parse_local_datetime(*day, 0)))
            throw HttpError{400, "InvalidParameter", "from and to must be dates as YYYY-MM-DD"};
    const auto format = q("format");
    if (!format.empty() && format != "json" && format != "csv")
        throw HttpError{400, "InvalidParameter", "format must be \"json\" or \"csv\""};
    std::vector<store::InvalidAddress> rows;
    for (auto& i : store.list_invalid(q("account")))
        if (filter.matches(i)) rows.push_back(std::move(i));
    if (format != "csv") return ok(detail::list_json(rows, [](const auto& i) { return to_json(i); }));
    std::string csv = "account,address,reason,added_at\r\n";
    for (const auto& i : rows)
        csv += csv_field(i.account) + ',' + csv_field(i.address) + ',' + csv_field(i.reason) + ',' +
               csv_field(i.created_at) + "\r\n";
    return {200, std::move(csv), "text/csv; charset=utf-8"};
}

json to_json(const spool::QueueEntry& e) {
    json rcpts = json::array();
    for (const auto& r : e.envelope.recipients)
        rcpts.push_back({{"address", r.address}, {"state", "queued"}});
    return {{"envid", std::to_string(e.envid)},
            {"mail_from", e.envelope.mail_from},
            {"recipients", rcpts},
            {"size", e.size},
            {"received_at_ms", e.received_at_ms},
            {"peer", e.peer}};
}
template <class T>
json list_json(const std::vector<T>& items) {
    return detail::list_json(items, [](const T& i) { return to_json(i); });
}

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start < path.size()) {
        auto end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        if (end > start) parts.push_back(percent_decode(path.substr(start, end - start), false));
        start = end + 1;
    }
    return parts;
}

std::map<std::string, std::string> parse_query(std::string_view q) {
    std::map<std::string, std::string> out;
    std::size_t start = 0;
    while (start < q.size()) {
        auto end = q.find('&', start);
        if (end == std::string_view::npos) end = q.size();
        const auto item = q.substr(start, end - start);
        const auto eq = item.find('=');
        out[percent_decode(item.substr(0, eq), true)] =
            eq == std::string_view::npos ? "" : percent_decode(item.substr(eq + 1), true);
        start = end + 1;
    }
    return out;
}

json to_json(const store::IpProtection& p) {
    return {{"enabled", p.enabled}, {"entries", p.entries}};
}

std::uint64_t parse_envid(const std::string& s) {
    auto v = common::parse_u64(s);
    if (!v) throw HttpError{400, "InvalidParameter", "envid must be a decimal number"};
    return *v;
}

unsigned status_for(store::ErrorKind k) {
    switch (k) {
    case store::ErrorKind::invalid:
        return 422;
    case store::ErrorKind::not_found:
        return 404;
    case store::ErrorKind::conflict:
        return 409;
    case store::ErrorKind::limit:
        return 422;
    }
    return 500;
}
const char* code_for(store::ErrorKind k) {
    switch (k) {
    case store::ErrorKind::invalid:
        return "InvalidParameter";
    case store::ErrorKind::not_found:
        return "NotFound";
    case store::ErrorKind::conflict:
        return "Conflict";
    case store::ErrorKind::limit:
        return "LimitExceeded";
    }
    return "InternalError";
}
// A minimal page; the text is escaped (it holds addresses a user typed).
std::string confirmation_page(const std::string& title, const std::string& text) {
    std::string escaped;
    for (const char c : text) {
        switch (c) {
        case '<':
            escaped += "&lt;";
            break;
        case '>':
            escaped += "&gt;";
            break;
        case '&':
            escaped += "&amp;";
            break;
        case '"':
            escaped += "&quot;";
            break;
        default:
            escaped += c;
        }
    }
    return "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + title +
           "</title></head><body><h1>" + title + "</h1><p>" + escaped + "</p></body></html>\n";
}
} // namespace

std::int64_t detail::unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void AdminApi::attach_openapi(openapi::OpenApi& api, const openapi::OpenApiBackends& backends) {
    openapi_ = &api;
    backends_ = &backends;
}

void AdminApi::attach_delivery(delivery::DeliveryLog& log, delivery::Engine& engine) {
    log_ = &log;
    engine_ = &engine;
}

AdminApi::AdminApi(store::Store& store, spool::Spool& spool, std::string admin_token)
    : store_(store)
    , spool_(spool)
    , token_(std::move(admin_token)) {}

ApiResponse AdminApi::handle(const ApiRequest& req) {
    const auto qpos = req.target.find('?');
    const auto path = split_path(std::string_view(req.target).substr(0, qpos));
    const auto query = qpos == std::string::npos ? std::map<std::string, std::string>{}
                                                 : parse_query(std::string_view(req.target).substr(qpos + 1));
    const auto& m = req.method;
    if (path.size() == 2 && path[0] == "v1" && path[1] == "health" && m == "GET")
        return ok({{"status", "ok"}});
    // The link mailed to a reply-to address (SPEC §6): the token is the credential.
    if (path.size() == 3 && path[0] == "v1" && path[1] == "reply-to" && path[2] == "confirm" && m == "GET") {
        // A person clicks this link in a mail client: a browser gets a sentence, a script JSON.
        bool browser = false;
        for (const auto& [name, value] : req.headers)
            if (common::iequals(name, "accept") && value.find("text/html") != std::string::npos)
                browser = true;
        try {
            const auto a = store_.confirm_reply_to(query.count("token") ? query.at("token") : "", unix_now());
            if (browser)
                return {200,
                        confirmation_page("Confirmed",
                                          a.reply_to + " is now the reply-to address of " + a.address + "."),
                        "text/html; charset=utf-8"};
            return ok(
                {{"address", a.address}, {"reply_to", a.reply_to}, {"reply_to_status", a.reply_to_status}});
        } catch (const store::StoreError& e) {
            if (browser)
                return {status_for(e.kind()), confirmation_page("Not confirmed", e.what()),
                        "text/html; charset=utf-8"};
            return error_response(status_for(e.kind()), code_for(e.kind()), e.what());
        }
    }

    const std::string expected = "Bearer " + token_;
    if (req.authorization.size() != expected.size() ||
        CRYPTO_memcmp(req.authorization.data(), expected.data(), expected.size()) != 0)
        return error_response(401, "Unauthorized", "missing or wrong bearer token");
    try {
        json body;
        if (!req.body.empty()) {
            body = json::parse(req.body, nullptr, false);
            if (body.is_discarded())
                throw HttpError{400, "InvalidBody", "the request body is not valid JSON"};
        }
        if (path.empty() || path[0] != "v1") throw HttpError{404, "NotFound", "no such endpoint"};
        const std::string res = path.size() > 1 ? path[1] : "";
        const auto n = path.size();
        const std::string account_filter = query.count("account") ? query.at("account") : "";

        if (res == "accounts") {
            if (n == 2 && m == "GET") return ok(list_json(store_.list_accounts()));
            if (n == 2 && m == "POST") return ok(to_json(store_.add_account(field(body, "name"))), 201);
            if (n == 3 && m == "GET") return ok(to_json(store_.get_account(path[2])));
            if (n == 3 && m == "PATCH") {
                const auto status = field(body, "status", false);
                const auto daily = int_field(body, "daily_quota"), monthly = int_field(body, "monthly_quota");
                if (status.empty() && !daily && !monthly)
                    throw HttpError{400, "MissingParameter", "give status, daily_quota or monthly_quota"};
                if (daily || monthly) store_.set_account_quota(path[2], daily, monthly);
                if (!status.empty()) store_.set_account_status(path[2], status);
                return ok(to_json(store_.get_account(path[2])));
            }
            if (n == 4 && path[3] == "ip-protection" && m == "GET")
                return ok(to_json(store_.get_ip_protection(path[2])));
            if (n == 4 && path[3] == "ip-protection" && m == "PATCH")
                return ok(to_json(store_.set_ip_protection(path[2], bool_field(body, "enabled"))));
            if (n == 5 && path[3] == "ip-protection" && path[4] == "entries" && m == "POST")
                return ok(to_json(store_.add_ip_entry(path[2], field(body, "entry"))), 201);
            if (n == 6 && path[3] == "ip-protection" && path[4] == "entries" && m == "DELETE")
                return ok(to_json(store_.remove_ip_entry(path[2], path[5])));
            if (n == 3 && m == "DELETE") {
                store_.remove_account(path[2]);
                return ok({{"deleted", path[2]}});
            }
        } else if (res == "domains") {
            if (n == 2 && m == "GET") return ok(list_json(store_.list_domains(account_filter)));
            if (n == 2 && m == "POST")
                return ok(to_json(store_.add_domain(field(body, "account"), field(body, "domain"))), 201);
            if (n == 3 && m == "GET") return ok(to_json(store_.get_domain(path[2])));
            if (n == 3 && m == "DELETE") {
                store_.remove_domain(path[2]);
                return ok({{"deleted", path[2]}});
            }
        } else if (res == "addresses") {
            if (n == 2 && m == "GET") return ok(list_json(store_.list_addresses(account_filter)));
            if (n == 2 && m == "POST")
                return ok(to_json(store_.add_address(field(body, "account"), field(body, "address"),
                                                     field(body, "type", false))),
                          201);
            if (n == 3 && m == "GET") return ok(to_json(store_.get_address(path[2])));
            if (n == 3 && m == "DELETE") {
                store_.remove_address(path[2]);
                return ok({{"deleted", path[2]}});
            }
            if (n == 4 && path[3] == "password" && m == "PUT") {
                store_.set_password(path[2], field(body, "password"));
                return ok({{"address", path[2]}, {"smtp_password", true}});
            }
        } else if (res == "invalid-addresses") {
            if (n == 2 && m == "GET") return invalid_addresses(store_, query);
            if (n == 2 && m == "POST")
                return ok(to_json(store_.add_invalid(field(body, "account"), field(body, "address"),
                                                     field(body, "reason", false))),
                          201);
            if (n == 4 && m == "DELETE") {
                store_.remove_invalid(path[2], path[3]);
                return ok({{"deleted", path[3]}});
            }
        } else if (res == "events") {
            if (n == 2 && m == "GET") {
                if (!query.count("env_id")) throw HttpError{400, "MissingParameter", "env_id is required"};
                const auto envid = parse_envid(query.at("env_id"));
                json arr = json::array();
                if (log_)
                    for (const auto& ev : log_->events(envid))
                        arr.push_back(ev);
                return ok(arr);
            }
        } else if (res == "queue") {
            if (n == 2 && m == "GET") return ok(list_json(spool_.list()));
            if (n == 3 && m == "GET") {
                const auto envid = parse_envid(path[2]);
                auto e = spool_.find(envid);
                json out = e ? to_json(*e) : json{{"envid", path[2]}};
                out["queued"] = e.has_value();
                if (log_) {
                    json rcpts = json::array(), attempts = json::array();
                    for (const auto& r : log_->recipients(envid))
                        rcpts.push_back({{"address", r.address},
                                         {"state", delivery::to_string(r.state)},
                                         {"attempts", r.attempts},
                                         {"next_attempt_ms", r.next_attempt_ms},
                                         {"last_reply", r.last_reply},
                                         {"failed_type", r.failed_type},
                                         {"status", r.status}});
                    for (const auto& a : log_->attempts(envid))
                        attempts.push_back({{"rcpt_index", a.idx},
                                            {"started_ms", a.started_ms},
                                            {"ended_ms", a.ended_ms},
                                            {"host", a.host},
                                            {"reply", a.reply}});
                    if (!rcpts.empty()) out["recipients"] = rcpts;
                    out["attempts"] = attempts;
                    if (!e && rcpts.empty())
                        throw HttpError{404, "NotFound", "no message with envid " + path[2]};
                } else if (!e) {
                    throw HttpError{404, "NotFound", "no queued message with envid " + path[2]};
                }
                return ok(out);
            }
            if (n == 4 && path[3] == "retry" && m == "POST") {
                const auto envid = parse_envid(path[2]);
                if (!spool_.find(envid))
                    throw HttpError{404, "NotFound", "no queued message with envid " + path[2]};
                if (engine_) engine_->retry_now(envid);
                return ok({{"envid", path[2]}, {"retry", "scheduled"}});
            }
            if (n == 3 && m == "DELETE") {
                const auto envid = parse_envid(path[2]);
                const auto entry = spool_.find(envid);
                if (!entry || !spool_.remove(envid))
                    throw HttpError{404, "NotFound", "no queued message with envid " + path[2]};
                std::vector<std::string> addresses;
                for (const auto& r : entry->envelope.recipients)
                    addresses.push_back(r.address);
                if (engine_) engine_->cancel(envid, std::move(addresses));
                return ok({{"deleted", path[2]}});
            }
        }
        if (auto r = handle_content(m, path, query, body)) return *r;
        if (auto r = handle_notify(m, path, query, body)) return *r;
        throw HttpError{404, "NotFound", "no such endpoint: " + m + " " + req.target.substr(0, qpos)};
    } catch (const HttpError& e) {
        return error_response(e.status, e.code, e.message);
    } catch (const store::StoreError& e) {
        return error_response(status_for(e.kind()), code_for(e.kind()), e.what());
    } catch (const std::exception& e) {
        return error_response(500, "InternalError", e.what());
    }
}

} // namespace mailpush::api
