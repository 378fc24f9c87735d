// The configuration's key table: one row per TOML key with its type, bounds, one-line doc and the
// member(s) of Config it is stored in. The reader, --print-defaults and the key table of
// docs/config.md are loops over it; defaults are read from the parts' member initialisers.
#pragma once

#include "mailpush/config/config.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace mailpush::config {

// decimal: a number that may have a fraction ("0.5"), kept in thousandths (min/max too).
enum class KeyType { string, boolean, integer, duration, size, choice, string_list, decimal };

// A key's value between TOML and the struct: durations in milliseconds, sizes in bytes,
// choices as their word.
using Value = std::variant<bool, std::int64_t, std::string, std::vector<std::string>>;

// Where a key goes: a member of Target (reached through nested member pointers).
template <class Target>
struct Sink {
    void (*set)(Target&, const Value&);
    Value (*get)(const Target&);
};

template <class Target>
struct Key {
    std::string name; // within its section: "hostname"
    KeyType type;
    std::string doc;
    std::vector<Sink<Target>> sinks;  // the first one's default is the key's default
    std::int64_t min = 0;             // integer; duration (ms); size
    std::int64_t max = 0;             // integer; size (0 = no upper bound)
    std::vector<std::string> choices; // choice
    std::string rule;                 // a rule beyond type and bounds, for the docs
    // A rule beyond type and bounds: the problem, or nullopt when the value is fine.
    std::optional<std::string> (*check)(const Value&) = nullptr;
};

// [name]: keys stored into Config.
struct Section {
    std::string name;
    std::vector<Key<Config>> keys;
};

// [[name]]: every table read into a fresh Elem, appended to a vector of Config.
template <class Elem>
struct ArraySection {
    std::string name;
    std::string doc;
    std::vector<Key<Elem>> keys;
    std::vector<Elem>& (*items)(Config&);
    // A rule over one table and those before it: {key, problem}, or nullopt.
    std::optional<std::pair<std::string, std::string>> (*check)(const Elem&, const std::vector<Elem>& before);
};

using TableEntry =
    std::variant<Section, ArraySection<Listener>, ArraySection<Route>, ArraySection<Destination>>;

// Every section in file order.
const std::vector<TableEntry>& key_table();

// Reads the keys of a parsed document without the checks across sections (a [[listener]] and
// http.admin_token required, ...): for tests of the table itself.
Config read_keys(const std::string& toml_text, const std::string& source_name);

// "30s", "15M": a value as the docs and --print-defaults write it.
std::string format_value(KeyType type, const Value& v);

} // namespace mailpush::config
