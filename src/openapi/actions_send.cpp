// Sending actions, batch tasks and the account summary.
#include "actions.hpp"

#include "mailpush/store/store.hpp"

namespace mailpush::openapi::detail {
using nlohmann::json;

namespace {
bool flag(const std::string& v) {
    return v == "1" || v == "true";
}

// ClickTrace: "1" opens and clicks, "0" (the default) none; anything else is refused.
bool click_trace(ActionContext& c) {
    const auto v = c.optional("ClickTrace", "0");
    if (v != "0" && v != "1") throw ApiError{400, "InvalidParameter", "ClickTrace must be 0 or 1"};
    return v == "1";
}
} // namespace

json single_send_mail(ActionContext& c) {
    SingleSend s;
    s.account = c.account;
    s.sender = c.required("AccountName");
    s.address_type = static_cast<int>(c.integer("AddressType", 1, 0, 1));
    s.use_reply_to = flag(c.optional("ReplyToAddress", "false"));
    s.reply_address = c.optional("ReplyAddress");
    s.reply_alias = c.optional("ReplyAddressAlias");
    s.to = c.required("ToAddress");
    s.bcc = c.optional("BccAddress");
    s.from_alias = c.optional("FromAlias");
    s.subject = c.required("Subject");
    s.html_body = c.optional("HtmlBody");
    s.text_body = c.optional("TextBody");
    s.tag = c.optional("TagName");
    s.click_trace = click_trace(c);
    s.headers_json = c.optional("Headers");
    s.unsubscribe_link_type = c.optional("UnSubscribeLinkType");
    s.unsubscribe_filter_level = c.optional("UnSubscribeFilterLevel");
    const auto result = c.send.single(s, c.origin, c.now_s);
    json reply{{"EnvId", std::to_string(result.envid)}};
    if (!result.suppressed.empty()) reply["SuppressedAddresses"] = result.suppressed;
    if (!result.blocked.empty()) reply["BlockedAddresses"] = result.blocked;
    return reply;
}

json batch_send_mail(ActionContext& c) {
    BatchSend b;
    b.account = c.account;
    b.sender = c.required("AccountName");
    b.address_type = static_cast<int>(c.integer("AddressType", 1, 0, 1));
    b.template_name = c.required("TemplateName");
    b.receivers = c.required("ReceiversName");
    b.tag = c.optional("TagName");
    b.click_trace = click_trace(c);
    b.reply_address = c.optional("ReplyAddress");
    b.reply_alias = c.optional("ReplyAddressAlias");
    b.unsubscribe_link_type = c.optional("UnSubscribeLinkType");
    b.unsubscribe_filter_level = c.optional("UnSubscribeFilterLevel");
    std::uint64_t first = 0;
    const auto slot = c.blocking_slot(); // until the last message is on disk
    const auto task = c.send.batch(b, c.origin, c.now_s, first);
    return {{"EnvId", std::to_string(first)},
            {"TaskId", std::to_string(task.id)},
            {"SkippedCount", task.skipped}};
}

json query_task_by_param(ActionContext& c) {
    const auto page = c.integer("PageNo", 1, 1, 1'000'000), size = c.integer("PageSize", 10, 1, 100);
    const auto key = c.optional("KeyWord");
    json tasks = json::array();
    std::int64_t total = 0;
    for (const auto& t : c.store.list_tasks(c.account)) {
        if (!key.empty() && t.template_name.find(key) == std::string::npos &&
            t.receivers.find(key) == std::string::npos)
            continue;
        if (++total <= (page - 1) * size || total > page * size) continue;
        tasks.push_back({{"TaskId", std::to_string(t.id)},
                         {"TaskStatus", t.status},
                         {"TemplateName", t.template_name},
                         {"ReceiversName", t.receivers},
                         {"TagName", t.tag},
                         {"AddressType", std::to_string(t.address_type)},
                         {"RequestCount", std::to_string(t.total)},
                         {"CreateTime", iso_time(t.created_at)},
                         {"UtcCreateTime", unix_time(t.created_at)}});
    }
    return {{"TotalCount", total}, {"PageNumber", page}, {"PageSize", size}, {"data", {{"task", tasks}}}};
}

json desc_account_summary(ActionContext& c) {
    const auto a = c.store.get_account(c.account);
    const auto used = c.store.usage(c.account, c.now_s);
    const auto remain = std::max<std::int64_t>(0, a.daily_quota - used.day_used);
    return {{"DailyQuota", a.daily_quota},
            {"MonthQuota", a.monthly_quota},
            {"DailyRemainFreeQuota", remain},
            {"RemainFreeQuota", std::max<std::int64_t>(0, a.monthly_quota - used.month_used)},
            {"Domains", c.store.list_domains(c.account).size()},
            {"MailAddresses", c.store.list_addresses(c.account).size()},
            {"Tags", c.store.list_tags(c.account).size()},
            {"Templates", c.store.list_templates(c.account).size()},
            {"Receivers", c.store.list_receiver_lists(c.account).size()},
            {"UserStatus", a.status == "normal" ? 0 : 1},
            {"QuotaLevel", 0},
            {"MaxQuotaLevel", 0},
            {"EnableTimes", 0},
            {"IpChannelType", ""},
            {"DayuStatus", 0},
            {"SmsRecord", 0},
            {"SmsSign", 0},
            {"SmsTemplates", 0}};
}

} // namespace mailpush::openapi::detail
