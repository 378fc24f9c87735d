// Parameter helpers and the action table of the OpenAPI.
#include "actions.hpp"

#include "mailpush/common/calendar.hpp"
#include "mailpush/common/security_log.hpp"
#include "mailpush/common/strings.hpp"

#include <unordered_map>

namespace mailpush::openapi::detail {

nlohmann::json single_send_mail(ActionContext&);
nlohmann::json batch_send_mail(ActionContext&);
nlohmann::json query_task_by_param(ActionContext&);
nlohmann::json desc_account_summary(ActionContext&);
nlohmann::json query_domain_by_param(ActionContext&);
nlohmann::json create_domain(ActionContext&);
nlohmann::json delete_domain(ActionContext&);
nlohmann::json desc_domain(ActionContext&);
nlohmann::json check_domain(ActionContext&);
nlohmann::json change_domain_dkim_record(ActionContext&);
nlohmann::json query_mail_address_by_param(ActionContext&);
nlohmann::json create_mail_address(ActionContext&);
nlohmann::json delete_mail_address(ActionContext&);
nlohmann::json modify_mail_address(ActionContext&);
nlohmann::json modify_pw_by_domain(ActionContext&);
nlohmann::json check_reply_to_mail_address(ActionContext&);
nlohmann::json approve_reply_mail_address(ActionContext&);
nlohmann::json create_tag(ActionContext&);
nlohmann::json query_tag_by_param(ActionContext&);
nlohmann::json delete_tag(ActionContext&);
nlohmann::json modify_tag(ActionContext&);
nlohmann::json create_receiver(ActionContext&);
nlohmann::json query_receiver_by_param(ActionContext&);
nlohmann::json delete_receiver(ActionContext&);
nlohmann::json save_receiver_detail(ActionContext&);
nlohmann::json query_receiver_detail(ActionContext&);
nlohmann::json delete_receiver_detail(ActionContext&);
nlohmann::json query_template_by_param(ActionContext&);
nlohmann::json desc_template(ActionContext&);
nlohmann::json query_invalid_address(ActionContext&);
nlohmann::json delete_invalid_address(ActionContext&);
nlohmann::json get_ip_protection(ActionContext&);
nlohmann::json update_ip_protection(ActionContext&);
nlohmann::json add_ipfilter(ActionContext&);
nlohmann::json get_ipfilter_list(ActionContext&);
nlohmann::json delete_ipfilter_by_edm_id(ActionContext&);
nlohmann::json sender_statistics_detail_by_param(ActionContext&);
nlohmann::json sender_statistics_by_tag_name_and_batch_id(ActionContext&);
nlohmann::json get_track_list(ActionContext&);
nlohmann::json get_track_list_by_mail_from_and_tag_name(ActionContext&);
nlohmann::json receive_notifications(ActionContext&);
nlohmann::json delete_notifications(ActionContext&);
nlohmann::json create_user_suppression(ActionContext&);
nlohmann::json list_user_suppression(ActionContext&);
nlohmann::json remove_user_suppression(ActionContext&);
nlohmann::json get_suppression_list_level(ActionContext&);
nlohmann::json set_suppression_list_level(ActionContext&);
nlohmann::json list_block_sending(ActionContext&);
nlohmann::json send_test_by_template(ActionContext&);
nlohmann::json get_user(ActionContext&);
nlohmann::json update_user(ActionContext&);
nlohmann::json create_template(ActionContext&);
nlohmann::json modify_template(ActionContext&);
nlohmann::json delete_template(ActionContext&);
nlohmann::json submit_template(ActionContext&);
nlohmann::json upload_receivers(ActionContext&);
nlohmann::json preview_template(ActionContext&);
nlohmann::json set_notify_target(ActionContext&);
nlohmann::json query_notify_targets(ActionContext&);
nlohmann::json delete_notify_target(ActionContext&);
nlohmann::json test_notify_target(ActionContext&);
nlohmann::json unblock_sending(ActionContext&);
nlohmann::json query_monitor_data(ActionContext&);
nlohmann::json create_alarm_rule(ActionContext&);
nlohmann::json query_alarm_rules(ActionContext&);
nlohmann::json modify_alarm_rule(ActionContext&);
nlohmann::json delete_alarm_rule(ActionContext&);

const ActionSpec* find_action(const std::string& name) {
    // The second column: parameters of the SDK's request model (SDK 1.9) that the action does
    // not implement. They are refused (InvalidParameter.Unsupported) rather than dropped, so an
    // application never believes an attachment, a template or a filter was applied.
    static const std::unordered_map<std::string, ActionSpec> table{
        {"SingleSendMail", {single_send_mail, {"Attachments", "Template", "DomainAuth", "IpPoolId"}, true}},
        {"BatchSendMail", {batch_send_mail, {"Headers", "DomainAuth", "IpPoolId"}, true}},
        {"QueryTaskByParam", {query_task_by_param, {"Status"}}},
        {"DescAccountSummary", {desc_account_summary, {}}},
        {"GetUser", {get_user, {}}},
        {"UpdateUser", {update_user, {}}},
        {"SendTestByTemplate", {send_test_by_template, {}, true}},
        {"ReceiveNotifications", {receive_notifications, {}}},
        {"DeleteNotifications", {delete_notifications, {}}},
        {"SetNotifyTarget", {set_notify_target, {}}}, // ours, as the next three
        {"QueryNotifyTargets", {query_notify_targets, {}}},
        {"DeleteNotifyTarget", {delete_notify_target, {}}},
        {"TestNotifyTarget", {test_notify_target, {}}},
        {"QueryMonitorData", {query_monitor_data, {}}}, // ours, as the next four
        {"CreateAlarmRule", {create_alarm_rule, {}}},
        {"QueryAlarmRules", {query_alarm_rules, {}}},
        {"ModifyAlarmRule", {modify_alarm_rule, {}}},
        {"DeleteAlarmRule", {delete_alarm_rule, {}}},
        {"QueryDomainByParam", {query_domain_by_param, {}}},
        {"CreateDomain", {create_domain, {"dkimSelector"}}},
        {"DeleteDomain", {delete_domain, {}}},
        {"DescDomain", {desc_domain, {}}},
        {"CheckDomain", {check_domain, {}}},
        {"ChangeDomainDkimRecord", {change_domain_dkim_record, {}}},
        {"QueryMailAddressByParam", {query_mail_address_by_param, {}}},
        {"CreateMailAddress", {create_mail_address, {}}},
        {"DeleteMailAddress", {delete_mail_address, {}}},
        {"ModifyMailAddress", {modify_mail_address, {}}},
        {"ModifyPWByDomain", {modify_pw_by_domain, {}}},
        {"CheckReplyToMailAddress", {check_reply_to_mail_address, {}}},
        {"ApproveReplyMailAddress", {approve_reply_mail_address, {}}},
        {"CreateTag", {create_tag, {}}},
        {"QueryTagByParam", {query_tag_by_param, {}}},
        {"DeleteTag", {delete_tag, {}}},
        {"ModifyTag", {modify_tag, {}}},
        {"CreateReceiver", {create_receiver, {}}},
        {"QueryReceiverByParam", {query_receiver_by_param, {"Status"}}},
        {"DeleteReceiver", {delete_receiver, {}}},
        {"SaveReceiverDetail", {save_receiver_detail, {"CustomDetail"}}},
        {"QueryReceiverDetail", {query_receiver_detail, {}}},
        {"DeleteReceiverDetail", {delete_receiver_detail, {}}},
        {"QueryTemplateByParam", {query_template_by_param, {"FromType"}}},
        {"DescTemplate", {desc_template, {"FromType"}}},
        {"CreateTemplate", {create_template, {}}}, // ours, as the next five
        {"ModifyTemplate", {modify_template, {}}},
        {"DeleteTemplate", {delete_template, {}}},
        {"SubmitTemplate", {submit_template, {}}},
        {"UploadReceivers", {upload_receivers, {}}},
        {"PreviewTemplate", {preview_template, {}}},
        {"QueryInvalidAddress", {query_invalid_address, {}}},
        {"DeleteInvalidAddress", {delete_invalid_address, {}}},
        {"CreateUserSuppression", {create_user_suppression, {}}},
        {"ListUserSuppression", {list_user_suppression, {}}},
        {"RemoveUserSuppression", {remove_user_suppression, {}}},
        {"GetSuppressionListLevel", {get_suppression_list_level, {}}},
        {"SetSuppressionListLevel", {set_suppression_list_level, {}}},
        {"ListBlockSending", {list_block_sending, {}}},
        {"UnblockSending", {unblock_sending, {}}},
        {"GetIpProtection", {get_ip_protection, {}}},
        {"UpdateIpProtection", {update_ip_protection, {}}},
        {"AddIpfilter", {add_ipfilter, {}}},
        {"GetIpfilterList", {get_ipfilter_list, {}}},
        {"DeleteIpfilterByEdmId", {delete_ipfilter_by_edm_id, {"FromType"}}},
        {"SenderStatisticsDetailByParam", {sender_statistics_detail_by_param, {"ConfigSetId", "IpPoolId"}}},
        {"SenderStatisticsByTagNameAndBatchID",
         {sender_statistics_by_tag_name_and_batch_id, {"Domain", "Esp", "DedicatedIp", "DedicatedIpPoolId"}}},
        // Offset, OffsetCreateTime, OffsetCreateTimeDesc and Total are deprecated in the SDK:
        // accepted and ignored (PageNumber/PageSize page the days).
        {"GetTrackList",
         {get_track_list, {"ConfigSetId", "DedicatedIp", "DedicatedIpPoolId", "Domain", "Esp"}}},
        {"GetTrackListByMailFromAndTagName",
         {get_track_list_by_mail_from_and_tag_name,
          {"ConfigSetId", "DedicatedIp", "DedicatedIpPoolId", "Esp"}}},
    };
    const auto it = table.find(name);
    return it == table.end() ? nullptr : &it->second;
}

std::optional<std::string> unsupported_parameter(const ActionSpec& action,
                                                 const std::map<std::string, std::string>& params) {
    // Parameters the hosted service accepts on every action that assert the caller's identity;
    // here the identity is the access key's and nothing else.
    static const std::vector<std::string_view> kIdentity{"OwnerId", "ResourceOwnerAccount",
                                                         "ResourceOwnerId"};
    auto named = [](std::string_view param, std::string_view name) {
        // A list or object parameter arrives flattened: "Attachments.1.AttachmentName".
        return param == name ||
               (param.starts_with(name) && param.size() > name.size() && param[name.size()] == '.');
    };
    for (const auto& [param, value] : params) {
        for (const auto name : kIdentity)
            if (named(param, name)) return param;
        for (const auto name : action.unsupported)
            if (named(param, name)) return param;
    }
    return std::nullopt;
}

AccountSlots::Slot ActionContext::blocking_slot() const {
    auto slot = blocking.try_take(account);
    if (!slot)
        throw ApiError{400, "Throttling.User",
                       "Too many DNS checks or batch sends of this account at once (at most " +
                           std::to_string(blocking.per_account()) + "); retry when one has finished."};
    return std::move(*slot);
}

void ActionContext::report(std::string_view kind, const std::string& detail) const {
    common::security_event({kind, origin.ip(), account, detail});
}

std::string ActionContext::required(const char* name) const {
    const auto it = params.find(name);
    if (it == params.end() || it->second.empty())
        throw ApiError{400, "MissingParameter",
                       std::string("The input parameter \"") + name +
                           "\" that is mandatory for processing this request is not supplied."};
    return it->second;
}

std::string ActionContext::optional(const char* name, const std::string& fallback) const {
    const auto it = params.find(name);
    return it == params.end() ? fallback : it->second;
}

std::int64_t ActionContext::integer(const char* name, std::int64_t fallback, std::int64_t min,
                                    std::int64_t max) const {
    const auto it = params.find(name);
    if (it == params.end() || it->second.empty()) return fallback;
    const auto v = common::parse_u64(it->second);
    if (!v || static_cast<std::int64_t>(*v) < min || static_cast<std::int64_t>(*v) > max)
        throw ApiError{400, "InvalidParameter",
                       std::string("The parameter ") + name + " must be a number from " +
                           std::to_string(min) + " to " + std::to_string(max) + "."};
    return static_cast<std::int64_t>(*v);
}

std::int64_t ActionContext::required_integer(const char* name) const {
    required(name);
    return integer(name, 0, 0, INT64_MAX);
}

std::int64_t id_param(ActionContext& c, const char* name) {
    const auto v = common::parse_u64(c.required(name));
    if (!v)
        throw ApiError{400, "InvalidParameter", std::string("The parameter ") + name + " must be a number."};
    return static_cast<std::int64_t>(*v);
}

std::string iso_time(const std::string& t) {
    if (t.size() < 16) return t;
    return t.substr(0, 10) + "T" + t.substr(11, 5) + "Z";
}

std::int64_t unix_time(const std::string& t) {
    if (t.size() < 19) return 0;
    const auto parsed = common::parse_civil_time(std::string_view(t).substr(0, 19), "YYYY-MM-DD hh:mm:ss");
    return parsed ? parsed->time_since_epoch().count() : 0;
}

} // namespace mailpush::openapi::detail
