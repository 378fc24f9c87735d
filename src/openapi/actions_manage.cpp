// Management actions that map onto the account model (SPEC §6): domains, sender addresses,
// tags, recipient lists and their members, templates, the invalid-address library, IP protection.
// Every lookup by id is confined to the calling account.
#include "actions.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/openapi/message_builder.hpp"
#include "mailpush/store/store.hpp"

namespace mailpush::openapi::detail {
using nlohmann::json;

namespace {
struct Page {
    std::int64_t no, size;
    bool take(std::int64_t& seen) const { return ++seen > (no - 1) * size && seen <= no * size; }
};
Page page_of(ActionContext& c) {
    return {c.integer("PageNo", 1, 1, 1'000'000), c.integer("PageSize", 10, 1, 100)};
}

const char* status_code(const std::string& s) { // check status as the console shows it: 0 passed
    return s == "ok" ? "0" : "1";
}

const store::DnsRecordCheck& check_of(const store::Domain& d, const char* purpose) {
    for (const auto& c : d.checks)
        if (c.purpose == purpose) return c;
    throw ApiError{500, "InternalError", "domain record missing"};
}

json domain_summary(const store::Domain& d) {
    return {{"DomainId", std::to_string(d.id)},
            {"DomainName", d.name},
            {"DomainStatus", d.verified ? "0" : "1"},
            {"ConfirmStatus", status_code(check_of(d, "ownership").status)},
            {"SpfAuthStatus", status_code(check_of(d, "spf").status)},
            {"MxAuthStatus", status_code(check_of(d, "mx").status)},
            {"CnameAuthStatus", status_code(check_of(d, "tracking").status)},
            {"DomainRecord", d.verify_token},
            {"IcpStatus", "1"},
            {"CreateTime", iso_time(d.created_at)},
            {"UtcCreateTime", unix_time(d.created_at)}};
}

const char* template_status(const std::string& s) {
    if (s == "submitted") return "0";
    if (s == "approved") return "1";
    if (s == "rejected") return "2";
    return "-1"; // draft
}
} // namespace

// ---- domains ----------------------------------------------------------------------------------

json query_domain_by_param(ActionContext& c) {
    const auto p = page_of(c);
    const auto key = c.optional("KeyWord");
    const auto status = c.integer("Status", -1, 0, 4);
    json list = json::array();
    std::int64_t seen = 0;
    for (const auto& d : c.store.list_domains(c.account)) {
        if (!key.empty() && d.name.find(key) == std::string::npos) continue;
        if (status >= 0 && (status == 0) != d.verified) continue;
        if (p.take(seen)) list.push_back(domain_summary(d));
    }
    return {{"TotalCount", seen}, {"PageNumber", p.no}, {"PageSize", p.size}, {"data", {{"domain", list}}}};
}

json create_domain(ActionContext& c) {
    const auto d = c.store.add_domain(c.account, c.required("DomainName"));
    return {{"DomainId", std::to_string(d.id)}};
}

json delete_domain(ActionContext& c) {
    const auto& d = by_id(c.store.list_domains(c.account), id_param(c, "DomainId"), "Domain");
    c.store.remove_domain(d.name);
    return json::object();
}

json desc_domain(ActionContext& c) {
    auto d = by_id(c.store.list_domains(c.account), id_param(c, "DomainId"), "Domain");
    // RequireRealTimeDnsRecords: what DNS says now (shown, not recorded; CheckDomain records).
    const auto live = c.optional("RequireRealTimeDnsRecords");
    if ((live == "true" || live == "1") && c.backends.check_dns) {
        const auto slot = c.blocking_slot();
        d.checks = c.backends.check_dns(d.checks);
    }
    const auto& own = check_of(d, "ownership");
    const auto& spf = check_of(d, "spf");
    const auto& mx = check_of(d, "mx");
    const auto& cname = check_of(d, "tracking");
    json out = domain_summary(d);
    out.update({{"HostRecord", own.host.substr(0, own.host.size() - d.name.size() - 1)},
                {"DnsTxt", own.found},
                {"SpfRecord", spf.value},
                {"SpfRecordV2", spf.value},
                {"DnsSpf", spf.found},
                {"MxRecord", mx.value},
                {"DnsMx", mx.found},
                {"CnameRecord", cname.host.substr(0, cname.host.size() - d.name.size() - 1)},
                {"TracefRecord", cname.value},
                {"CnameConfirmStatus", status_code(cname.status)},
                {"TlDomainName", store::main_domain(d.name)},
                {"DefaultDomain", "0"},
                {"DomainType", ""}});
    out.update(domain_dkim_fields(d));
    // Ours: every record to publish with its last check, one row each (the console lists them).
    json records = json::array();
    for (const auto& r : d.checks)
        records.push_back({{"Purpose", r.purpose},
                           {"Type", r.type},
                           {"Host", r.host},
                           {"Value", r.value},
                           {"Status", r.status},
                           {"Found", r.found}});
    out["Records"] = std::move(records);
    return out;
}

json check_domain(ActionContext& c) {
    const auto d = by_id(c.store.list_domains(c.account), id_param(c, "DomainId"), "Domain");
    if (!c.backends.check_dns) throw ApiError{503, "ServiceUnavailable", "DNS checks are not available."};
    const auto slot = c.blocking_slot();
    const auto checked = c.store.record_domain_checks(d.name, c.backends.check_dns(d.checks));
    return {{"DomainStatus", checked.verified ? 0 : 1}};
}

// ---- sender addresses ------------------------------------------------------------------------

namespace {
void request_reply_to(ActionContext& c, const std::string& address, const std::string& reply_to) {
    c.send.reply_to_verification(address, reply_to, c.store.request_reply_to(address, reply_to, c.now_s));
}
} // namespace

json query_mail_address_by_param(ActionContext& c) {
    const auto p = page_of(c);
    const auto key = c.optional("KeyWord");
    const auto type = c.optional("Sendtype");
    const auto dir = c.store.directory();
    const auto used = c.store.usage(c.account, c.now_s);
    json list = json::array();
    std::int64_t seen = 0;
    for (const auto& a : c.store.list_addresses(c.account)) {
        if (!key.empty() && a.address.find(key) == std::string::npos) continue;
        if (!type.empty() && a.type != type) continue;
        if (!p.take(seen)) continue;
        const auto* s = dir->sender(a.address);
        list.push_back({{"MailAddressId", std::to_string(a.id)},
                        {"AccountName", a.address},
                        {"AccountStatus", s && s->account_active ? "0" : "1"},
                        {"Sendtype", a.type},
                        {"ReplyAddress", a.reply_to},
                        {"ReplyStatus", a.reply_to_status == "verified" ? "0" : "1"},
                        {"DomainStatus", s && s->domain_verified ? "0" : "1"},
                        {"DailyCount", std::to_string(used.day_used)},
                        {"MonthCount", std::to_string(used.month_used)},
                        {"DailyReqCount", std::to_string(used.day_used)},
                        {"MonthReqCount", std::to_string(used.month_used)},
                        {"CreateTime", iso_time(a.created_at)}});
    }
    return {{"TotalCount", seen},
            {"PageNumber", p.no},
            {"PageSize", p.size},
            {"data", {{"mailAddress", list}}},
            // Ours: the monthly deletion limit and how much of it is used.
            {"DeletionsThisMonth", c.store.address_deletions_this_month(c.account)},
            {"DeletionLimit", c.store.limits().max_address_deletions_per_month}};
}

json create_mail_address(ActionContext& c) {
    const auto type = c.optional("Sendtype", "trigger");
    const auto reply = c.optional("ReplyAddress");
    const auto a = c.store.add_address(c.account, c.required("AccountName"), type);
    if (!reply.empty()) request_reply_to(c, a.address, reply);
    return {{"MailAddressId", std::to_string(a.id)}};
}

json delete_mail_address(ActionContext& c) {
    const auto& a = by_id(c.store.list_addresses(c.account), id_param(c, "MailAddressId"), "MailAddress");
    c.store.remove_address(a.address);
    return json::object();
}

json modify_mail_address(ActionContext& c) {
    const auto a = by_id(c.store.list_addresses(c.account), id_param(c, "MailAddressId"), "MailAddress");
    const auto password = c.optional("Password");
    const auto reply = c.optional("ReplyAddress");
    if (password.empty() && reply.empty())
        throw ApiError{400, "MissingParameter", "Give Password, ReplyAddress or both."};
    if (!password.empty()) {
        c.store.set_password(a.address, password);
        c.report("password_changed", "address=" + a.address);
    }
    if (!reply.empty()) request_reply_to(c, a.address, reply);
    return json::object();
}

// The reply-to confirmation mail again, for the address's pending reply-to. Lang: "zh" / "zh-cn"
// (any case) for the Chinese mail, "en" or none for English; Region: this service's or none.
json check_reply_to_mail_address(ActionContext& c) {
    const auto a = by_id(c.store.list_addresses(c.account), id_param(c, "MailAddressId"), "MailAddress");
    const auto lang = common::to_lower(c.optional("Lang"));
    if (!lang.empty() && lang != "zh" && lang != "zh-cn" && lang != "en")
        throw ApiError{400, "InvalidParameter", "Lang must be zh-cn or en."};
    const auto region = c.optional("Region");
    if (!region.empty() && region != c.options.region)
        throw ApiError{400, "InvalidParameter", "Region must be " + c.options.region + "."};
    if (a.reply_to.empty())
        throw ApiError{400, "InvalidReplyAddress.NotSet", "The address has no reply-to address to verify."};
    if (a.reply_to_status == "verified")
        throw ApiError{400, "InvalidReplyAddress.AlreadyVerified",
                       "The reply-to address is verified already."};
    c.send.reply_to_verification(a.address, a.reply_to,
                                 c.store.request_reply_to(a.address, a.reply_to, c.now_s),
                                 lang.starts_with("zh"));
    return json::object();
}

// Confirms a reply-to with the ticket of its confirmation mail (the link's token), for an
// address of this account only.
json approve_reply_mail_address(ActionContext& c) {
    c.store.confirm_reply_to(c.required("Ticket"), c.now_s, c.account);
    return json::object();
}

// One SMTP password for every sender address of one of the account's domains (the console's
// "modify password by domain"): all or none.
json modify_pw_by_domain(ActionContext& c) {
    const auto domain = common::to_lower(c.required("DomainName"));
    const auto password = c.required("Password");
    const auto domains = c.store.list_domains(c.account);
    if (std::none_of(domains.begin(), domains.end(), [&](const auto& d) { return d.name == domain; }))
        throw ApiError{404, "InvalidDomain.NotFound", "The account has no domain " + domain + "."};
    std::vector<std::string> addresses;
    for (const auto& a : c.store.list_addresses(c.account))
        if (common::to_lower(a.address.substr(a.address.rfind('@') + 1)) == domain)
            addresses.push_back(a.address);
    {
        const auto slot = c.blocking_slot(); // a password hash per address
        c.store.set_passwords(addresses, password);
    }
    for (const auto& a : addresses)
        c.report("password_changed", "address=" + a);
    return {{"Success", true},
            {"Code", "OK"},
            {"Message", std::to_string(addresses.size()) + " sender address(es) updated"}};
}

// ---- tags ------------------------------------------------------------------------------------

json create_tag(ActionContext& c) {
    const auto t = c.store.add_tag(c.account, c.required("TagName"), c.optional("TagDescription"));
    return {{"TagId", std::to_string(t.id)}};
}

json query_tag_by_param(ActionContext& c) {
    const auto p = page_of(c);
    const auto key = c.optional("KeyWord");
    json list = json::array();
    std::int64_t seen = 0;
    for (const auto& t : c.store.list_tags(c.account)) {
        if (!key.empty() && t.name.find(key) == std::string::npos) continue;
        if (p.take(seen))
            list.push_back(
                {{"TagId", std::to_string(t.id)}, {"TagName", t.name}, {"TagDescription", t.description}});
    }
    return {{"TotalCount", seen}, {"PageNumber", p.no}, {"PageSize", p.size}, {"data", {{"tag", list}}}};
}

json delete_tag(ActionContext& c) {
    const auto& t = by_id(c.store.list_tags(c.account), id_param(c, "TagId"), "Tag");
    c.store.remove_tag(c.account, t.name);
    return json::object();
}

json modify_tag(ActionContext& c) {
    const auto t = by_id(c.store.list_tags(c.account), id_param(c, "TagId"), "Tag");
    c.store.update_tag(c.account, t.name, c.optional("TagName", t.name),
                       c.optional("TagDescription", t.description));
    return json::object();
}

// ---- recipient lists --------------------------------------------------------------------------

json create_receiver(ActionContext& c) {
    const auto l = c.store.add_receiver_list(c.account, c.required("ReceiversName"),
                                             c.required("ReceiversAlias"), c.optional("Desc"));
    return {{"ReceiverId", std::to_string(l.id)}};
}

json query_receiver_by_param(ActionContext& c) {
    const auto p = page_of(c);
    const auto key = c.optional("KeyWord");
    json list = json::array();
    std::int64_t seen = 0;
    for (const auto& l : c.store.list_receiver_lists(c.account)) {
        if (!key.empty() && l.name.find(key) == std::string::npos && l.alias.find(key) == std::string::npos)
            continue;
        if (p.take(seen))
            list.push_back({{"ReceiverId", std::to_string(l.id)},
                            {"ReceiversName", l.name},
                            {"ReceiversAlias", l.alias},
                            {"Desc", l.description},
                            {"Count", std::to_string(l.count)},
                            {"ReceiversStatus", "1"},
                            {"CreateTime", iso_time(l.created_at)},
                            {"UtcCreateTime", unix_time(l.created_at)}});
    }
    return {{"TotalCount", seen}, {"PageSize", p.size}, {"NextStart", ""}, {"data", {{"receiver", list}}}};
}

json delete_receiver(ActionContext& c) {
    const auto& l = by_id(c.store.list_receiver_lists(c.account), id_param(c, "ReceiverId"), "Receiver");
    c.store.remove_receiver_list(c.account, l.name);
    return json::object();
}

json save_receiver_detail(ActionContext& c) {
    const auto l = by_id(c.store.list_receiver_lists(c.account), id_param(c, "ReceiverId"), "Receiver");
    const auto detail = json::parse(c.required("Detail"), nullptr, false);
    if (!detail.is_array())
        throw ApiError{400, "InvalidParameter",
                       "Detail must be a JSON array of {\"e\":address,...} objects."};
    if (detail.size() > c.store.limits().max_receivers_per_list)
        throw ApiError{400, "InvalidParameter", "Detail has more rows than a list may hold."};
    std::vector<store::ReceiverRow> rows;
    auto text = [](const json& o, const char* k) {
        return o.is_object() && o.contains(k) && o[k].is_string() ? o[k].get<std::string>() : std::string();
    };
    for (const auto& o : detail)
        rows.push_back({text(o, "e"), text(o, "u"), text(o, "n"), text(o, "g"), text(o, "b"), text(o, "m")});
    const auto report = c.store.add_receivers(c.account, l.name, rows);
    json errors = json::array();
    for (const auto& e : report.errors)
        errors.push_back({{"Email", e.email}, {"ErrMessage", e.reason}});
    return {{"SuccessCount", report.added + report.updated},
            {"ErrorCount", report.errors.size()},
            {"Data", {{"Detail", errors}}}};
}

json query_receiver_detail(ActionContext& c) {
    const auto l = by_id(c.store.list_receiver_lists(c.account), id_param(c, "ReceiverId"), "Receiver");
    const auto size = c.integer("PageSize", 10, 1, 100);
    const auto start = c.integer("NextStart", 0, 0, 1'000'000);
    const auto rows = c.store.list_receivers(c.account, l.name, c.optional("KeyWord"),
                                             static_cast<std::size_t>(start + size + 1));
    json list = json::array();
    for (std::size_t i = static_cast<std::size_t>(start);
         i < rows.size() && i < static_cast<std::size_t>(start + size); ++i) {
        const auto& r = rows[i];
        const json data = {{"UserName", r.user_name},
                           {"NickName", r.nick_name},
                           {"Gender", r.gender},
                           {"Birthday", r.birthday},
                           {"Mobile", r.mobile}};
        list.push_back({{"Email", r.email},
                        {"Data", data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)}});
    }
    const bool more = rows.size() > static_cast<std::size_t>(start + size);
    return {{"TotalCount", l.count},
            {"NextStart", more ? std::to_string(start + size) : ""},
            {"DataSchema", "UserName,NickName,Gender,Birthday,Mobile"},
            {"data", {{"detail", list}}}};
}

json delete_receiver_detail(ActionContext& c) {
    const auto& l = by_id(c.store.list_receiver_lists(c.account), id_param(c, "ReceiverId"), "Receiver");
    c.store.remove_receiver(c.account, l.name, c.required("Email"));
    return json::object();
}

// ---- templates --------------------------------------------------------------------------------

json query_template_by_param(ActionContext& c) {
    const auto p = page_of(c);
    const auto key = c.optional("KeyWord");
    const auto status = c.optional("Status");
    json list = json::array();
    std::int64_t seen = 0;
    for (const auto& t : c.store.list_templates(c.account)) {
        if (!key.empty() && t.name.find(key) == std::string::npos) continue;
        if (!status.empty() && status != template_status(t.status)) continue;
        if (p.take(seen))
            list.push_back({{"TemplateId", std::to_string(t.id)},
                            {"TemplateName", t.name},
                            {"TemplateStatus", template_status(t.status)},
                            {"TemplateType", t.type == "text" ? 1 : 0},
                            {"TemplateComment", t.reason},
                            {"CreateTime", iso_time(t.created_at)},
                            {"UtcCreatetime", unix_time(t.created_at)}});
    }
    return {{"TotalCount", seen}, {"PageNumber", p.no}, {"PageSize", p.size}, {"data", {{"template", list}}}};
}

json desc_template(ActionContext& c) {
    const auto t = by_id(c.store.list_templates(c.account), id_param(c, "TemplateId"), "Template");
    return {{"TemplateName", t.name},
            {"TemplateSubject", t.subject},
            {"TemplateText", t.body},
            {"TemplateNickName", t.from_alias},
            {"TemplateStatus", template_status(t.status)},
            {"TemplateType", t.type == "text" ? "1" : "0"},
            {"Remark", t.reason},
            {"CreateTime", iso_time(t.created_at)}};
}

// ---- invalid addresses ---------------------------------------------------------------------------

json query_invalid_address(ActionContext& c) {
    const auto size = c.integer("Length", 10, 1, 100);
    const auto start = c.integer("NextStart", 0, 0, 100'000'000);
    // StartTime / EndTime: yyyy-MM-dd, inclusive, on the day the address was added.
    const store::InvalidFilter filter{c.optional("KeyWord"), c.optional("StartTime"), c.optional("EndTime")};
    for (const auto* t : {&filter.from_day, &filter.to_day})
        if (!t->empty() && !parse_utc_timestamp(*t + "T00:00:00Z"))
            throw ApiError{400, "InvalidParameter", "StartTime and EndTime must be dates as yyyy-MM-dd."};
    json list = json::array();
    std::int64_t seen = 0;
    for (const auto& i : c.store.list_invalid(c.account)) {
        if (!filter.matches(i)) continue;
        if (seen++ < start || seen > start + size) continue;
        list.push_back({{"ToAddress", i.address},
                        {"LastUpdateTime", iso_time(i.created_at)},
                        {"UtcLastUpdateTime", unix_time(i.created_at)}});
    }
    return {{"TotalCount", seen},
            {"NextStart", seen > start + size ? std::to_string(start + size) : ""},
            {"data", {{"mailDetail", list}}}};
}

json delete_invalid_address(ActionContext& c) {
    c.store.remove_invalid(c.account, c.required("ToAddress"));
    return json::object();
}

// ---- IP protection ----------------------------------------------------------------------------------

json get_ip_protection(ActionContext& c) {
    return {{"IpProtection", c.store.get_ip_protection(c.account).enabled ? "1" : "0"}};
}

json update_ip_protection(ActionContext& c) {
    const auto v = c.required("IpProtection");
    if (v != "0" && v != "1") throw ApiError{400, "InvalidParameter", "IpProtection must be \"0\" or \"1\"."};
    c.store.set_ip_protection(c.account, v == "1");
    c.report("ip_protection_changed", v == "1" ? "enabled" : "disabled");
    return json::object();
}

json add_ipfilter(ActionContext& c) {
    const auto entry = std::string(common::trim(c.required("IpAddress")));
    c.store.add_ip_entry(c.account, entry);
    c.report("ip_protection_changed", "added " + entry);
    return {{"IpFilterId", entry}};
}

json get_ipfilter_list(ActionContext& c) {
    const auto p = page_of(c);
    json list = json::array();
    std::int64_t seen = 0;
    for (const auto& e : c.store.get_ip_protection(c.account).entries)
        if (p.take(seen)) list.push_back({{"Id", e}, {"IpAddress", e}, {"CreateTime", ""}});
    return {
        {"TotalCount", seen}, {"PageNumber", p.no}, {"PageSize", p.size}, {"data", {{"ipfilters", list}}}};
}

json delete_ipfilter_by_edm_id(ActionContext& c) {
    const auto entry = c.required("Id");
    c.store.remove_ip_entry(c.account, entry);
    c.report("ip_protection_changed", "removed " + entry);
    return json::object();
}

} // namespace mailpush::openapi::detail
