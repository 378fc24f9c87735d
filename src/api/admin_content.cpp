// Admin API routes for access keys, domain verification, reply-to, tags, recipient lists,
// templates and batch send tasks (SPEC §6). Same conventions as admin_api.cpp.
#include "admin_util.hpp"

#include "mailpush/api/admin_api.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/delivery/delivery_log.hpp"
#include "mailpush/openapi/openapi.hpp"
#include "mailpush/openapi/receiver_upload.hpp"
#include "mailpush/openapi/send_service.hpp"
#include "mailpush/store/store.hpp"

namespace mailpush::api {
using namespace detail;

namespace {
json to_json(const store::Tag& t) {
    return {{"account", t.account},
            {"name", t.name},
            {"description", t.description},
            {"created_at", t.created_at},
            {"id", t.id}};
}
json to_json(const store::ReceiverList& l) {
    return {{"account", l.account},
            {"name", l.name},
            {"alias", l.alias},
            {"description", l.description},
            {"count", l.count},
            {"created_at", l.created_at},
            {"id", l.id}};
}
json to_json(const store::ReceiverRow& r) {
    return {{"EAddr", r.email},   {"UserName", r.user_name}, {"NickName", r.nick_name},
            {"Gender", r.gender}, {"Birthday", r.birthday},  {"Mobile", r.mobile}};
}
json to_json(const store::Template& t) {
    return {{"account", t.account},
            {"name", t.name},
            {"subject", t.subject},
            {"body", t.body},
            {"from_alias", t.from_alias},
            {"type", t.type},
            {"status", t.status},
            {"reason", t.reason},
            {"created_at", t.created_at},
            {"updated_at", t.updated_at},
            {"id", t.id}};
}
json to_json(const store::SendTask& t) {
    return {{"id", t.id},
            {"account", t.account},
            {"address", t.address},
            {"address_type", t.address_type},
            {"template", t.template_name},
            {"receivers", t.receivers},
            {"tag", t.tag},
            {"status", t.status},
            {"total", t.total},
            {"queued", t.queued},
            {"skipped", t.skipped},
            {"created_at", t.created_at}};
}
json to_json(const store::AccessKey& k) {
    return {{"AccessKeyId", k.id}, {"account", k.account}, {"created_at", k.created_at}};
}
template <class T>
json list_json(const std::vector<T>& items) {
    return detail::list_json(items, [](const T& i) { return to_json(i); });
}

store::TemplateInput template_input(const json& body, const std::string& name) {
    return {name, field(body, "subject"), field(body, "body"), field(body, "from_alias", false),
            field(body, "type", false)};
}

json upload_report(const store::UploadReport& report, const openapi::ParsedUpload& parsed) {
    json errors = json::array();
    for (const auto& e : parsed.errors)
        errors.push_back({{"line", e.line}, {"EAddr", e.email}, {"reason", e.reason}});
    for (const auto& e : report.errors) // store errors count rows; report the upload's line
        errors.push_back({{"line", parsed.lines.at(e.line - 1)}, {"EAddr", e.email}, {"reason", e.reason}});
    return {{"rows", parsed.rows.size() + parsed.errors.size()},
            {"added", report.added},
            {"updated", report.updated},
            {"rejected", errors.size()},
            {"errors", errors}};
}
} // namespace

std::optional<ApiResponse> AdminApi::handle_content(const std::string& m, const Path& path,
                                                    const Query& query, const json& body) {
    const std::string res = path.size() > 1 ? path[1] : "";
    const auto n = path.size();
    const std::string account_filter = query.count("account") ? query.at("account") : "";

    if (res == "access-keys") {
        if (n == 2 && m == "GET") return ok(list_json(store_.list_access_keys(account_filter)));
        if (n == 2 && m == "POST") {
            const auto key = store_.create_access_key(field(body, "account"));
            return ok({{"AccessKeyId", key.id}, {"AccessKeySecret", key.secret}}, 201);
        }
        if (n == 3 && m == "DELETE") {
            store_.remove_access_key(path[2]);
            return ok({{"deleted", path[2]}});
        }
    } else if (res == "domains" && n == 4 && path[3] == "verify" && m == "POST") {
        if (!backends_ || !backends_->check_dns)
            throw HttpError{503, "Unavailable", "DNS checks are not available"};
        const auto domain = store_.get_domain(path[2]);
        const auto checked = store_.record_domain_checks(domain.name, backends_->check_dns(domain.checks));
        return ok({{"domain", checked.name},
                   {"verified", checked.verified},
                   {"records", records_json(checked.checks)}});
    } else if (res == "addresses" && n == 4 && path[3] == "reply-to" && m == "PUT") {
        if (!openapi_) throw HttpError{503, "Unavailable", "sending is not available"};
        const auto reply_to = field(body, "reply_to");
        const auto token = store_.request_reply_to(path[2], reply_to, unix_now());
        openapi_->sender().reply_to_verification(path[2], reply_to, token);
        return ok(json{{"address", path[2]}, {"reply_to", reply_to}, {"reply_to_status", "pending"}});
    } else if (res == "accounts" && n == 4 && path[3] == "usage" && m == "GET") {
        const auto a = store_.get_account(path[2]);
        const auto u = store_.usage(path[2], unix_now());
        return ok({{"account", a.name},
                   {"day", u.day},
                   {"month", u.month},
                   {"day_used", u.day_used},
                   {"month_used", u.month_used},
                   {"daily_quota", a.daily_quota},
                   {"monthly_quota", a.monthly_quota}});
    } else if (res == "tags") {
        if (n == 2 && m == "GET") return ok(list_json(store_.list_tags(account_filter)));
        if (n == 2 && m == "POST")
            return ok(to_json(store_.add_tag(field(body, "account"), field(body, "name"),
                                             field(body, "description", false))),
                      201);
        if (n == 4 && m == "PATCH") {
            std::string description;
            for (const auto& t : store_.list_tags(path[2]))
                if (t.name == path[3]) description = t.description;
            const auto new_name = field(body, "name", false);
            const auto new_desc =
                body.is_object() && body.contains("description") ? field(body, "description") : description;
            return ok(to_json(
                store_.update_tag(path[2], path[3], new_name.empty() ? path[3] : new_name, new_desc)));
        }
        if (n == 4 && m == "DELETE") {
            store_.remove_tag(path[2], path[3]);
            return ok({{"deleted", path[3]}});
        }
    } else if (res == "receiver-lists") {
        if (n == 2 && m == "GET") return ok(list_json(store_.list_receiver_lists(account_filter)));
        if (n == 2 && m == "POST")
            return ok(
                to_json(store_.add_receiver_list(field(body, "account"), field(body, "name"),
                                                 field(body, "alias"), field(body, "description", false))),
                201);
        if (n == 4 && m == "GET") return ok(to_json(store_.get_receiver_list(path[2], path[3])));
        if (n == 4 && m == "DELETE") {
            store_.remove_receiver_list(path[2], path[3]);
            return ok({{"deleted", path[3]}});
        }
        if (n == 5 && path[4] == "upload" && m == "POST") {
            const auto content = field(body, "content");
            store_.get_receiver_list(path[2], path[3]); // 404 before parsing
            const auto parsed =
                openapi::parse_receiver_upload(content, store_.limits().max_receivers_per_list);
            const auto report = store_.add_receivers(path[2], path[3], parsed.rows);
            return ok(upload_report(report, parsed));
        }
        if (n == 5 && path[4] == "members" && m == "GET") {
            std::size_t limit = 1000;
            if (query.count("limit")) {
                try {
                    limit = std::stoul(query.at("limit"));
                } catch (const std::exception&) {
                    throw HttpError{400, "InvalidParameter", "limit must be a number"};
                }
            }
            return ok(list_json(
                store_.list_receivers(path[2], path[3], query.count("key") ? query.at("key") : "", limit)));
        }
        if (n == 6 && path[4] == "members" && m == "DELETE") {
            store_.remove_receiver(path[2], path[3], path[5]);
            return ok({{"deleted", path[5]}});
        }
    } else if (res == "templates") {
        if (n == 2 && m == "GET") return ok(list_json(store_.list_templates(account_filter)));
        if (n == 2 && m == "POST")
            return ok(to_json(store_.add_template(field(body, "account"),
                                                  template_input(body, field(body, "name")))),
                      201);
        if (n == 4 && m == "GET") return ok(to_json(store_.get_template(path[2], path[3])));
        if (n == 4 && m == "PUT")
            return ok(to_json(
                store_.update_template(path[2], path[3], template_input(body, field(body, "name", false)))));
        if (n == 5 && m == "POST")
            return ok(
                to_json(store_.set_template_state(path[2], path[3], path[4], field(body, "reason", false))));
        if (n == 4 && m == "DELETE") {
            store_.remove_template(path[2], path[3]);
            return ok({{"deleted", path[3]}});
        }
    } else if ((res == "details" || res == "stats") && n == 2 && m == "GET") {
        if (!log_) throw HttpError{503, "Unavailable", "delivery reporting is not available"};
        const auto account = query.count("account") ? query.at("account") : "";
        if (account.empty()) throw HttpError{400, "MissingParameter", "account is required"};
        store_.get_account(account); // 404 for an unknown account
        auto param = [&](const char* k) { return query.count(k) ? query.at(k) : std::string(); };
        auto when = [&](const char* k, std::int64_t fallback, bool whole_day_end) -> std::int64_t {
            const auto text = param(k);
            if (text.empty()) return fallback;
            const auto ms = common::parse_local_datetime(text, utc_offset_minutes_);
            if (!ms) throw HttpError{400, "InvalidParameter", std::string(k) + " must be YYYY-MM-DD[ HH:MM]"};
            return *ms + (whole_day_end && text.size() == 10 ? 86'400'000 : 0);
        };
        const auto now = unix_now() * 1000;
        if (res == "details") {
            delivery::DetailQuery q;
            q.account = account;
            q.from_ms = when("from", now - 30LL * 86'400'000, false);
            q.to_ms = when("to", now + 60'000, true);
            q.mail_from = param("sender");
            q.rcpt = common::to_lower(param("rcpt"));
            q.tag = param("tag");
            const auto status = param("status");
            if (!status.empty() && status != "0" && status != "2" && status != "3" && status != "4")
                throw HttpError{400, "InvalidParameter", "status must be 0, 2, 3 or 4"};
            q.status = status.empty() ? -1 : std::stoi(status);
            const auto limit = common::parse_u64(param("limit").empty() ? "100" : param("limit"));
            if (!limit || *limit == 0 || *limit > 10'000)
                throw HttpError{400, "InvalidParameter", "limit must be 1-10000"};
            q.limit = *limit;
            json rows = json::array();
            for (const auto& r : log_->details(q))
                rows.push_back({{"env_id", std::to_string(r.envid)},
                                {"sender", r.mail_from},
                                {"rcpt", r.rcpt},
                                {"tag", r.tag},
                                {"subject", r.subject},
                                {"status", r.status},
                                {"failed_type", r.failed_type},
                                {"reply", r.reply},
                                {"ended_ms", r.ended_ms}});
            return ok(rows);
        }
        delivery::StatQuery q;
        q.account = account;
        q.from_ms = when("from", now - 7LL * 86'400'000, false);
        q.to_ms = when("to", now + 60'000, true);
        q.mail_from = param("sender");
        q.tag = param("tag");
        q.group = param("by").empty() ? "day" : param("by");
        if (q.group != "day" && q.group != "sender" && q.group != "tag")
            throw HttpError{400, "InvalidParameter", "by must be day, sender or tag"};
        q.utc_offset_minutes = utc_offset_minutes_;
        json rows = json::array();
        for (const auto& s : log_->stats(q)) {
            auto rate = [&](std::int64_t part) {
                return s.total == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(s.total);
            };
            rows.push_back({{"key", s.key},
                            {"total", s.total},
                            {"success", s.delivered},
                            {"failed", s.failed + s.spam},
                            {"invalid", s.invalid},
                            {"success_rate", rate(s.delivered)},
                            {"invalid_rate", rate(s.invalid)}});
        }
        return ok(rows);
    } else if (res == "tasks") {
        if (n == 2 && m == "GET") return ok(list_json(store_.list_tasks(account_filter)));
        if (n == 2 && m == "POST") {
            if (!openapi_) throw HttpError{503, "Unavailable", "sending is not available"};
            openapi::BatchSend b;
            b.account = field(body, "account");
            b.sender = field(body, "address");
            b.template_name = field(body, "template");
            b.receivers = field(body, "receivers");
            b.tag = field(body, "tag", false);
            b.address_type = static_cast<int>(int_field(body, "address_type").value_or(1));
            std::uint64_t first = 0;
            try {
                // The operator is trusted: no IP protection check (empty peer).
                return ok(to_json(openapi_->sender().batch(b, "", unix_now(), first)), 201);
            } catch (const openapi::ApiError& e) {
                throw HttpError{e.status == 404 ? 404u : 422u, e.code, e.message};
            }
        }
    }
    return std::nullopt;
}

} // namespace mailpush::api
