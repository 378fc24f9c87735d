// Which message gets a List-Unsubscribe link, at which level, and what the SMTP client's
// X-AliDM-Settings header asks (docs/suppression.md). Pure functions.
#include "mailpush/common/base64.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/store/suppression.hpp"

#include <nlohmann/json.hpp>

namespace mailpush::store {

std::optional<LinkType> parse_link_type(std::string_view text, bool smtp_languages) {
    if (text.empty() || text == "default") return LinkType::default_policy;
    if (text == "disabled") return LinkType::disabled;
    if (smtp_languages && (text == "zh-cn" || text == "en-us")) return LinkType::default_policy;
    return std::nullopt;
}

std::optional<FilterLevel> resolve_filter_level(std::string_view text, FilterLevel account_level) {
    if (text.empty() || text == "default") return account_level;
    return parse_filter_level(text);
}

bool wants_unsubscribe_link(LinkType type, std::string_view sender_type) {
    return type == LinkType::default_policy && sender_type == "batch";
}

FilterLevel recorded_level(FilterLevel send_level) {
    return send_level == FilterLevel::disabled ? FilterLevel::mailfrom : send_level;
}

std::string unsubscribe_header_lines(std::string_view base_url, std::string_view token) {
    std::string base(base_url);
    while (!base.empty() && base.back() == '/')
        base.pop_back();
    return "List-Unsubscribe: <" + base + "/u/" + std::string(token) +
           ">\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n";
}

std::optional<AliDmSettings> parse_alidm_settings(std::string_view header_value) {
    const auto raw = common::base64_decode(common::trim(header_value));
    if (!raw) return std::nullopt;
    const auto j = nlohmann::json::parse(*raw, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    AliDmSettings out;
    if (const auto ip = j.find("OutboundIp"); ip != j.end() && !ip->is_null()) out.outbound_ip = true;
    const auto u = j.find("Unsubscribe");
    if (u == j.end()) return out;
    if (!u->is_object()) return std::nullopt;
    for (const auto& [name, target] :
         {std::pair{"LinkType", &out.link_type}, std::pair{"FilterLevel", &out.filter_level}}) {
        const auto f = u->find(name);
        if (f == u->end()) continue;
        if (!f->is_string()) return std::nullopt;
        *target = f->get<std::string>();
    }
    if (!parse_link_type(out.link_type, true)) return std::nullopt;
    if (!out.filter_level.empty() && out.filter_level != "default" && !parse_filter_level(out.filter_level))
        return std::nullopt;
    return out;
}

} // namespace mailpush::store
