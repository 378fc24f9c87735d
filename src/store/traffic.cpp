// The traffic rules' pure parts: defaults and overrides resolved, the override field table,
// block types, reasons, filters and order (docs/accounts.md, docs/openapi.md).
#include "mailpush/store/traffic.hpp"

#include "mailpush/common/strings.hpp"

#include <array>
#include <tuple>

namespace mailpush::store {
namespace {
using std::chrono::seconds;

constexpr std::int64_t kMaxWindow = 30LL * 24 * 3600; // 30 days

constexpr std::array<TrafficField, 8> kFields{{
    {"submission_rate", 0, 10'000'000, false, "submissions per submission_window (0: no limit)"},
    {"submission_window", 1, 86'400, false, "seconds of the submission rate's window"},
    {"fatigue_limit", 0, 1'000'000, false,
     "messages from one sender address to one recipient per fatigue_window (0: no limit)"},
    {"fatigue_window", 1, kMaxWindow, false, "seconds of the fatigue window"},
    {"warmup", 0, 1, true, "warm-up schedule of the account's sending domains on or off"},
    {"warmup_start", 1, 10'000'000, false, "warm-up: messages on the first day"},
    {"warmup_growth_percent", 1, 1000, false, "warm-up: daily growth of the cap, percent"},
    {"warmup_days", 1, 365, false, "warm-up: days the schedule lasts"},
}};

// One accessor per field, in kFields' order.
template <class F>
auto visit_field(TrafficOverrides& o, std::string_view name, F&& f) {
    if (name == "submission_rate") return f(o.submission_rate);
    if (name == "submission_window") return f(o.submission_window);
    if (name == "fatigue_limit") return f(o.fatigue_limit);
    if (name == "fatigue_window") return f(o.fatigue_window);
    if (name == "warmup") return f(o.warmup);
    if (name == "warmup_start") return f(o.warmup_start);
    if (name == "warmup_growth_percent") return f(o.warmup_growth_percent);
    return f(o.warmup_days);
}

template <class T>
std::optional<std::int64_t> as_integer(const std::optional<T>& v) {
    if (!v) return std::nullopt;
    if constexpr (std::is_same_v<T, seconds>)
        return v->count();
    else
        return static_cast<std::int64_t>(*v);
}

template <class T>
void assign(std::optional<T>& slot, std::optional<std::int64_t> value) {
    if (!value) {
        slot.reset();
        return;
    }
    if constexpr (std::is_same_v<T, seconds>)
        slot = seconds{*value};
    else if constexpr (std::is_same_v<T, bool>)
        slot = *value != 0;
    else
        slot = static_cast<T>(*value);
}

struct TypeName {
    BlockType type;
    std::string_view name;
};
constexpr std::array<TypeName, 3> kTypes{
    {{BlockType::unsub, "UNSUB"}, {BlockType::report, "REPORT"}, {BlockType::freq, "FREQ"}}};
} // namespace

TrafficRules resolve_traffic(const TrafficDefaults& d, const TrafficOverrides& o) {
    return {RateRule{o.submission_rate.value_or(d.submission_rate),
                     o.submission_window.value_or(d.submission_window)},
            RateRule{o.fatigue_limit.value_or(d.fatigue_limit), o.fatigue_window.value_or(d.fatigue_window)}};
}

std::span<const TrafficField> traffic_fields() {
    return kFields;
}

const TrafficField* find_traffic_field(std::string_view name) {
    for (const auto& f : kFields)
        if (f.name == name) return &f;
    return nullptr;
}

std::optional<std::int64_t> traffic_value(const TrafficOverrides& o, std::string_view field) {
    if (!find_traffic_field(field)) return std::nullopt;
    auto copy = o;
    return visit_field(copy, field, [](const auto& slot) { return as_integer(slot); });
}

bool set_traffic_value(TrafficOverrides& o, std::string_view field, std::optional<std::int64_t> value) {
    const auto* f = find_traffic_field(field);
    if (!f) return false;
    if (value && (*value < f->min || *value > f->max)) return false;
    visit_field(o, field, [&](auto& slot) { assign(slot, value); });
    return true;
}

std::optional<BlockType> parse_block_type(std::string_view text) {
    for (const auto& t : kTypes)
        if (t.name == text) return t.type;
    return std::nullopt;
}

std::string_view to_string(BlockType type) {
    for (const auto& t : kTypes)
        if (t.type == type) return t.name;
    return "FREQ";
}

int block_reason(BlockType type) {
    switch (type) {
    case BlockType::unsub:
        return kReasonNotInterested;
    case BlockType::report:
        return kReasonUnspecified;
    case BlockType::freq:
        return kReasonTooFrequent;
    }
    return kReasonUnspecified;
}

bool BlockFilter::matches(const Block& b) const {
    if (type && *type != b.type) return false;
    if (!sender.empty() && !common::iequals(sender, b.sender)) return false;
    if (!recipient.empty() && !common::iequals(recipient, b.recipient)) return false;
    if (begin_s && b.block_s < begin_s) return false;
    if (end_s && b.block_s > end_s) return false;
    return true;
}

bool block_before(const Block& a, const Block& b) {
    return std::tuple(-a.block_s, a.recipient, a.sender, static_cast<int>(a.type)) <
           std::tuple(-b.block_s, b.recipient, b.sender, static_cast<int>(b.type));
}

} // namespace mailpush::store
