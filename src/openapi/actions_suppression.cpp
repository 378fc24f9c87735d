// The suppression list actions (SDK 1.9): Create/List/RemoveUserSuppression and
// Get/SetSuppressionListLevel. docs/suppression.md.
#include "actions.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/store/store.hpp"

namespace mailpush::openapi::detail {
using nlohmann::json;

namespace {
constexpr std::int64_t kMaxSpan = 7 * 24 * 3600; // the SDK: start to end at most 7 days

// A start/end pair of Unix seconds; InvalidParameter when reversed or wider than 7 days.
void time_range(const ActionContext& c, const char* start_name, const char* end_name, std::int64_t& start,
                std::int64_t& end) {
    start = c.integer(start_name, 0, 0, INT64_MAX / 2);
    end = c.integer(end_name, 0, 0, INT64_MAX / 2);
    if (start && end && end < start)
        throw ApiError{400, "InvalidParameter",
                       std::string("The parameter ") + end_name + " is before " + start_name + "."};
    if (start && end && end - start > kMaxSpan)
        throw ApiError{400, "InvalidParameter",
                       std::string("The span from ") + start_name + " to " + end_name +
                           " must not exceed 7 days."};
}

store::FilterLevel level_param(const ActionContext& c) {
    const auto text = c.required("SuppressionListLevel");
    const auto level = store::parse_filter_level(text);
    if (!level)
        throw ApiError{400, "InvalidSuppressionListLevel.Malformed",
                       "SuppressionListLevel must be mailfrom, mailfrom_domain, edm_id or disabled."};
    return *level;
}
} // namespace

json create_user_suppression(ActionContext& c) {
    const auto address = c.required("Address");
    try {
        const auto s = c.store.add_suppression(c.account, address, store::kSourceManual, "", c.now_s);
        return {{"SuppressionId", std::to_string(s.id)}};
    } catch (const store::StoreError& e) {
        if (e.kind() == store::ErrorKind::invalid)
            throw ApiError{400, "InvalidAddress.Malformed",
                           "The specified Address is not a valid email address or domain name."};
        throw;
    }
}

json list_user_suppression(ActionContext& c) {
    const auto page = c.integer("PageNo", 1, 1, 1'000'000), size = c.integer("PageSize", 10, 1, 100);
    store::SuppressionFilter f;
    f.address = std::string(common::trim(c.optional("Address")));
    time_range(c, "StartCreateTime", "EndCreateTime", f.start_create, f.end_create);
    time_range(c, "StartBounceTime", "EndBounceTime", f.start_bounce, f.end_bounce);
    json rows = json::array();
    std::int64_t total = 0;
    for (const auto& s : c.store.list_suppressions(c.account)) {
        if (!f.matches(s)) continue;
        if (++total <= (page - 1) * size || total > page * size) continue;
        rows.push_back({{"SuppressionId", s.id},
                        {"Address", s.address},
                        {"Type", s.type()},
                        {"CreateTime", s.created_s},
                        {"LastBounceTime", s.last_bounce_s},
                        {"Source", s.source},
                        {"Scope", s.scope}});
    }
    return {{"TotalCount", total},
            {"PageNumber", page},
            {"PageSize", size},
            {"Data", {{"UserSuppressions", rows}}}};
}

json remove_user_suppression(ActionContext& c) {
    std::vector<std::int64_t> ids;
    for (const auto& part : common::split_list(c.required("SuppressionIds"), ',')) {
        const auto id = common::parse_u64(part);
        if (!id || *id == 0 || *id > static_cast<std::uint64_t>(INT64_MAX))
            throw ApiError{400, "InvalidSuppressionId.Malformed",
                           "SuppressionIds must be suppression ids separated by commas."};
        ids.push_back(static_cast<std::int64_t>(*id));
    }
    if (ids.empty())
        throw ApiError{400, "InvalidSuppressionId.Malformed",
                       "SuppressionIds must be suppression ids separated by commas."};
    try {
        c.store.remove_suppressions(c.account, ids);
    } catch (const store::StoreError& e) {
        if (e.kind() == store::ErrorKind::not_found)
            throw ApiError{404, "InvalidSuppressionId.NotFound", e.what()};
        throw;
    }
    return json::object();
}

json get_suppression_list_level(ActionContext& c) {
    return {{"SuppressionListLevel", store::to_string(c.store.suppression_level(c.account))}};
}

json set_suppression_list_level(ActionContext& c) {
    const auto level = c.store.set_suppression_level(c.account, level_param(c));
    return {{"SuppressionListLevel", store::to_string(level)}};
}

} // namespace mailpush::openapi::detail
