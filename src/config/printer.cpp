// Writes the key table out: every key at its default as TOML (--print-defaults) and as the
// Markdown key table of docs/config.md (--print-config-doc).
#include "mailpush/config/keys.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <array>
#include <cstdlib>
#include <sstream>

namespace mailpush::config {
namespace {

// The largest unit that divides `n` exactly: 90'000 with {60'000, "m"} ... -> "90s".
struct Unit {
    std::int64_t size;
    const char* suffix;
};

std::string with_unit(std::int64_t n, const Unit* units, std::size_t count, const char* bare) {
    for (std::size_t i = 0; i < count; ++i)
        if (n != 0 && n % units[i].size == 0) return fmt::format("{}{}", n / units[i].size, units[i].suffix);
    return fmt::format("{}{}", n, bare);
}

std::string toml_string(const std::string& s) {
    std::ostringstream out;
    out << toml::toml_formatter(toml::value<std::string>(s), toml::format_flags::none); // "..." with escapes
    return out.str();
}

template <class T>
Value default_of(const Key<T>& k) {
    return k.sinks.front().get(T{});
}

// How a value is written in TOML: durations and sizes as quoted strings with units.
std::string toml_value(KeyType type, const Value& v) {
    switch (type) {
    case KeyType::duration:
    case KeyType::size:
        if (type == KeyType::size && std::get<std::int64_t>(v) % 1024 != 0) return format_value(type, v);
        return toml_string(format_value(type, v));
    case KeyType::string:
    case KeyType::choice:
        return toml_string(std::get<std::string>(v));
    case KeyType::string_list: {
        std::string out = "[";
        for (const auto& s : std::get<std::vector<std::string>>(v))
            out += (out.size() > 1 ? ", " : "") + toml_string(s);
        return out + "]";
    }
    default:
        return format_value(type, v);
    }
}

void print_keys(std::string& out, const std::vector<Key<Config>>& keys) {
    for (const auto& k : keys)
        out += fmt::format("# {}\n{} = {}\n", k.doc, k.name, toml_value(k.type, default_of(k)));
}

// An array section's keys as a commented-out example: the default Config has no such table.
template <class Elem>
void print_example(std::string& out, const ArraySection<Elem>& a) {
    out += fmt::format("\n# [[{}]]: {}. For example:\n# [[{}]]\n", a.name, a.doc, a.name);
    for (const auto& k : a.keys)
        out += fmt::format("# {} = {}    # {}\n", k.name, toml_value(k.type, default_of(k)), k.doc);
}

std::string bounds_of(KeyType type, std::int64_t min, std::int64_t max,
                      const std::vector<std::string>& choices) {
    switch (type) {
    case KeyType::integer:
        return fmt::format("{}–{}", min, max);
    case KeyType::decimal:
        return fmt::format("{}–{}", format_value(type, Value(min)), format_value(type, Value(max)));
    case KeyType::duration:
        return "≥ " + format_value(type, Value(min));
    case KeyType::size:
        if (max > 0)
            return fmt::format("{}–{}", format_value(type, Value(min)), format_value(type, Value(max)));
        return min > 0 ? "≥ " + format_value(type, Value(min)) : "";
    case KeyType::choice: {
        std::string out;
        for (const auto& c : choices)
            out += (out.empty() ? "" : ", ") + (c.empty() ? std::string("\"\"") : c);
        return out;
    }
    default:
        return "";
    }
}

template <class T>
void doc_rows(std::string& out, const std::vector<Key<T>>& keys, const std::string& section, bool array) {
    for (const auto& k : keys) {
        const auto name = array ? "`[[" + section + "]] " + k.name + "`" : "`" + section + "." + k.name + "`";
        const auto value = default_of(k);
        std::string shown = format_value(k.type, value);
        if (k.type == KeyType::string_list || (std::holds_alternative<std::string>(value) && shown.empty()))
            shown = toml_value(k.type, value);
        auto bounds = bounds_of(k.type, k.min, k.max, k.choices);
        if (!k.rule.empty()) bounds += (bounds.empty() ? "" : "; ") + k.rule;
        out += fmt::format("| {} | `{}` | {} | {} |\n", name, shown, bounds, k.doc);
    }
}

} // namespace

std::string format_value(KeyType type, const Value& v) {
    static constexpr std::array<Unit, 5> kDurations{
        {{86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}, {1, "ms"}}};
    static constexpr std::array<Unit, 3> kSizes{{{1LL << 30, "G"}, {1LL << 20, "M"}, {1LL << 10, "k"}}};
    switch (type) {
    case KeyType::boolean:
        return std::get<bool>(v) ? "true" : "false";
    case KeyType::integer:
        return std::to_string(std::get<std::int64_t>(v));
    case KeyType::duration:
        return with_unit(std::get<std::int64_t>(v), kDurations.data(), kDurations.size(), "s");
    case KeyType::size:
        return with_unit(std::get<std::int64_t>(v), kSizes.data(), kSizes.size(), "");
    case KeyType::string:
    case KeyType::choice:
        return std::get<std::string>(v);
    case KeyType::string_list: {
        std::string out;
        for (const auto& s : std::get<std::vector<std::string>>(v))
            out += (out.empty() ? "" : ", ") + s;
        return out;
    }
    case KeyType::decimal: { // thousandths: 500 -> "0.5", 2000 -> "2"
        const auto n = std::get<std::int64_t>(v);
        auto out = fmt::format("{}.{:03}", n / 1000, std::abs(n % 1000));
        while (out.back() == '0')
            out.pop_back();
        if (out.back() == '.') out.pop_back();
        return out;
    }
    }
    return "";
}

std::string print_defaults() {
    std::string out = "# mailpushd configuration: every key at its default (mailpushd --print-defaults).\n"
                      "# A server needs at least one [[listener]]; see docs/config.md.\n";
    for (const auto& entry : key_table())
        std::visit(
            [&out](const auto& s) {
                if constexpr (std::is_same_v<std::decay_t<decltype(s)>, Section>) {
                    out += fmt::format("\n[{}]\n", s.name);
                    print_keys(out, s.keys);
                } else {
                    print_example(out, s);
                }
            },
            entry);
    return out;
}

std::string config_doc_table() {
    std::string out = "| key | default | bounds / values | meaning |\n|---|---|---|---|\n";
    for (const auto& entry : key_table())
        std::visit(
            [&out](const auto& s) {
                constexpr bool array = !std::is_same_v<std::decay_t<decltype(s)>, Section>;
                if constexpr (array) out += fmt::format("| `[[{}]]` | none | | {} |\n", s.name, s.doc);
                doc_rows(out, s.keys, s.name, array);
            },
            entry);
    return out;
}

} // namespace mailpush::config
