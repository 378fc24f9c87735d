// /v1/accounts/{name}/traffic: an account's overrides of the traffic rules (docs/accounts.md)
// and the rules in effect; /v1/blocks: the blocks ListBlockSending shows, and lifting one.
#include "admin_router.hpp"
#include "admin_util.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/store/store.hpp"

namespace mailpush::api::detail {
namespace {

json traffic_json(const AdminServices& s, const std::string& account) {
    const auto overrides = s.store.traffic_overrides(account);
    json fields = json::object();
    for (const auto& f : store::traffic_fields()) {
        const auto v = store::traffic_value(overrides, f.name);
        if (!v)
            fields[std::string(f.name)] = nullptr;
        else if (f.boolean)
            fields[std::string(f.name)] = *v != 0;
        else
            fields[std::string(f.name)] = *v;
    }
    const auto rules = store::resolve_traffic(s.store.limits().traffic, overrides);
    const json effective{{"submission_rate", rules.submission.limit},
                         {"submission_window", rules.submission.window.count()},
                         {"fatigue_limit", rules.fatigue.limit},
                         {"fatigue_window", rules.fatigue.window.count()}};
    // One row per field for mailpushctl's table; the warm-up fields' defaults are the delivery
    // engine's, so their effective value is shown only when overridden.
    json rows = json::array();
    for (const auto& f : store::traffic_fields()) {
        const std::string name(f.name);
        rows.push_back({{"field", name},
                        {"override", fields[name]},
                        {"effective", effective.contains(name) ? effective[name] : fields[name]}});
    }
    return {{"account", account}, {"overrides", fields}, {"effective", effective}, {"fields", rows}};
}

// PUT: each field given is set (a number; warmup true/false) or cleared (null, back to the
// configured default); fields not given keep their value.
ApiResponse put_traffic(const AdminServices& s, const RouteCall& c) {
    if (!c.body.is_object() || c.body.empty())
        throw HttpError{400, "InvalidBody", "the body must be a JSON object of traffic fields"};
    std::vector<store::TrafficChange> changes;
    for (const auto& [name, value] : c.body.items()) {
        const auto* f = store::find_traffic_field(name);
        if (!f) throw HttpError{422, "InvalidParameter", "unknown traffic field \"" + name + "\""};
        if (value.is_null()) {
            changes.push_back({name, std::nullopt});
            continue;
        }
        std::optional<std::int64_t> v;
        if (f->boolean && value.is_boolean()) v = value.get<bool>() ? 1 : 0;
        if (!f->boolean && value.is_number_integer()) v = value.get<std::int64_t>();
        if (!v)
            throw HttpError{422, "InvalidParameter",
                            "field \"" + name + "\" must be " + (f->boolean ? "true, false" : "an integer") +
                                " or null"};
        if (*v < f->min || *v > f->max)
            throw HttpError{422, "InvalidParameter",
                            "field \"" + name + "\" must be from " + std::to_string(f->min) + " to " +
                                std::to_string(f->max)};
        changes.push_back({name, v});
    }
    s.store.set_traffic_overrides(c.param("name"), changes);
    admin_change_event(c, "traffic_changed", c.param("name"), c.body.dump());
    return ok(traffic_json(s, c.param("name")));
}

std::optional<store::BlockType> type_query(const RouteCall& c, bool required) {
    const auto text = c.query_or_empty("type");
    if (text.empty()) {
        if (required) throw HttpError{400, "MissingParameter", "missing query parameter \"type\""};
        return std::nullopt;
    }
    const auto t = store::parse_block_type(text);
    if (!t) throw HttpError{400, "InvalidParameter", "type must be UNSUB, REPORT or FREQ"};
    return t;
}

std::string required_query(const RouteCall& c, const char* name) {
    const auto v = std::string(common::trim(c.query_or_empty(name)));
    if (v.empty())
        throw HttpError{400, "MissingParameter", std::string("missing query parameter \"") + name + "\""};
    return v;
}

json block_json(const store::Block& b) {
    return {{"type", store::to_string(b.type)},
            {"account", b.account},
            {"sender", b.sender},
            {"recipient", b.recipient},
            {"block_s", b.block_s},
            {"send_s", b.send_s},
            {"until_s", b.until_s},
            {"reason", b.reason}};
}

ApiResponse list_blocks(const AdminServices& s, const RouteCall& c) {
    store::BlockFilter f;
    f.type = type_query(c, false);
    f.sender = c.query_or_empty("sender");
    f.recipient = c.query_or_empty("recipient");
    const auto rows = s.store.list_blocks(required_query(c, "account"), f, unix_now());
    return ok(list_json(rows, block_json));
}

ApiResponse remove_block(const AdminServices& s, const RouteCall& c) {
    const auto account = required_query(c, "account");
    const auto type = type_query(c, true);
    const auto sender = required_query(c, "sender"), recipient = required_query(c, "recipient");
    s.store.unblock(account, *type, sender, recipient, unix_now());
    admin_change_event(c, "block_removed", account, std::string(store::to_string(*type)) + " " + recipient);
    return ok(deleted(recipient));
}

} // namespace

std::span<const Route> traffic_routes() {
    static const Route routes[] = {
        {"GET", "/v1/accounts/{name}/traffic", Access::admin,
         [](const AdminServices& s, const RouteCall& c) { return ok(traffic_json(s, c.param("name"))); }},
        {"PUT", "/v1/accounts/{name}/traffic", Access::admin, put_traffic},
        {"GET", "/v1/blocks", Access::admin, list_blocks},
        {"DELETE", "/v1/blocks", Access::admin, remove_block},
    };
    return routes;
}

} // namespace mailpush::api::detail
