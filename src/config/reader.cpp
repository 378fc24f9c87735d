// Reads a TOML document through the key table: each section's keys are looked up, checked
// against their type, bounds and rule, and stored into every member they go to. Afterwards any
// key the table does not have is reported as unknown, with its line, so a typo never silently
// falls back to a default.
#include "mailpush/common/strings.hpp"
#include "mailpush/config/keys.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>

namespace mailpush::config {
namespace {

// Keys that were renamed: refused with their new name rather than read under the old one.
constexpr std::pair<std::string_view, std::string_view> kMovedKeys[] = {
    {"http.admin_token", "[admin] token (or leave it out: the token file is used)"},
};

std::optional<std::string_view> moved_to(std::string_view key) {
    for (const auto& [old_name, new_name] : kMovedKeys)
        if (old_name == key) return new_name;
    return std::nullopt;
}

// Tokens the shipped configs and docs have carried as examples: never a real secret.
constexpr std::string_view kPlaceholderTokens[] = {
    "dev-admin-token-change-me",
    "replace-with-a-long-random-token",
};

std::optional<std::string> admin_token_problem(const std::string& token) {
    if (token.empty()) return std::nullopt; // the token file is used
    for (const auto placeholder : kPlaceholderTokens)
        if (token == placeholder)
            return "is a placeholder shipped with mailpush; use the token file or a random value";
    if (token.size() < 32) return "must be at least 32 characters (or leave it out: the token file is used)";
    return std::nullopt;
}

unsigned line_of(const toml::node& n) {
    return static_cast<unsigned>(n.source().begin.line);
}

class Reader {
public:
    explicit Reader(std::string source)
        : source_(std::move(source)) {}

    [[noreturn]] void fail(const std::string& key, const std::string& problem, unsigned line = 0) const {
        throw ConfigError(source_ + ": key '" + key + "': " + problem, line);
    }

    // The value of `n`, checked against the key's type and bounds.
    template <class T>
    Value value(const Key<T>& k, const std::string& key, const toml::node& n) const {
        const unsigned line = line_of(n);
        switch (k.type) {
        case KeyType::string:
        case KeyType::choice: {
            if (!n.is_string()) fail(key, "must be a string", line);
            auto s = *n.value<std::string>();
            if (k.type == KeyType::choice &&
                std::find(k.choices.begin(), k.choices.end(), s) == k.choices.end())
                fail(key, "must be " + quoted_choices(k.choices), line);
            return s;
        }
        case KeyType::boolean:
            if (!n.is_boolean()) fail(key, "must be true or false", line);
            return *n.value<bool>();
        case KeyType::integer: {
            if (!n.is_integer()) fail(key, "must be an integer", line);
            const auto v = *n.value<std::int64_t>();
            if (v < k.min || v > k.max)
                fail(key, "must be between " + std::to_string(k.min) + " and " + std::to_string(k.max), line);
            return v;
        }
        case KeyType::duration: {
            std::optional<milliseconds> v;
            if (n.is_integer() && *n.value<std::int64_t>() >= 0)
                v = milliseconds(*n.value<std::int64_t>() * 1000);
            else if (n.is_string())
                v = common::parse_duration(*n.value<std::string>());
            if (!v) fail(key, "must be a duration such as \"30s\", \"5m\", \"1h\" or \"3d\"", line);
            if (v->count() < k.min) fail(key, "must be at least " + std::to_string(k.min) + "ms", line);
            return v->count();
        }
        case KeyType::size: {
            std::optional<std::uint64_t> v;
            if (n.is_integer() && *n.value<std::int64_t>() >= 0)
                v = static_cast<std::uint64_t>(*n.value<std::int64_t>());
            else if (n.is_string())
                v = common::parse_size(*n.value<std::string>());
            if (!v || *v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                fail(key, "must be a size such as 1048576, \"64k\", \"15M\" or \"1G\"", line);
            const auto bytes = static_cast<std::int64_t>(*v);
            if (bytes < k.min) fail(key, "must be at least " + std::to_string(k.min), line);
            if (k.max > 0 && bytes > k.max)
                fail(key, "must be at most " + format_value(KeyType::size, Value(k.max)), line);
            return bytes;
        }
        case KeyType::decimal: {
            std::optional<double> v;
            if (n.is_integer()) v = static_cast<double>(*n.value<std::int64_t>());
            if (n.is_floating_point()) v = *n.value<double>();
            const auto bounds = "must be a number between " + format_value(KeyType::decimal, Value(k.min)) +
                                " and " + format_value(KeyType::decimal, Value(k.max));
            if (!v || !(*v * 1000 >= static_cast<double>(k.min)) ||
                !(*v * 1000 <= static_cast<double>(k.max)))
                fail(key, bounds, line);
            return static_cast<std::int64_t>(std::llround(*v * 1000));
        }
        case KeyType::string_list: {
            const std::string problem =
                "must be an array of " + (k.rule.empty() ? "" : k.rule + " ") + "strings";
            const auto* arr = n.as_array();
            if (!arr) fail(key, problem, line);
            std::vector<std::string> out;
            for (const auto& e : *arr) {
                if (!e.is_string()) fail(key, problem, line_of(e));
                out.push_back(*e.value<std::string>());
            }
            return out;
        }
        }
        fail(key, "has an unknown type", line);
    }

    // Reads every key of `keys` present in `t` into `target`.
    template <class T>
    void read_keys(const std::vector<Key<T>>& keys, const std::string& section, const toml::table& t,
                   T& target) {
        for (const auto& k : keys) {
            const std::string key = section + "." + k.name;
            known_.insert(key);
            const auto* n = t.get(k.name);
            if (!n) continue;
            const auto v = value(k, key, *n);
            if (k.check)
                if (auto problem = k.check(v)) fail(key, *problem, line_of(*n));
            for (const auto& sink : k.sinks)
                sink.set(target, v);
        }
    }

    void read(const toml::table& root, const Section& s, Config& c) {
        known_.insert(s.name);
        const auto* n = root.get(s.name);
        if (!n) return;
        if (!n->is_table()) fail(s.name, "must be a table [" + s.name + "]", line_of(*n));
        read_keys(s.keys, s.name, *n->as_table(), c);
    }

    template <class Elem>
    void read(const toml::table& root, const ArraySection<Elem>& s, Config& c) {
        known_.insert(s.name);
        const auto* n = root.get(s.name);
        if (!n) return;
        if (!n->is_array_of_tables())
            fail(s.name, "must be an array of tables [[" + s.name + "]]", line_of(*n));
        auto& items = s.items(c);
        for (const auto& e : *n->as_array()) {
            Elem elem;
            read_keys(s.keys, s.name, *e.as_table(), elem);
            if (auto problem = s.check(elem, items))
                fail(s.name + "." + problem->first, problem->second, line_of(e));
            items.push_back(std::move(elem));
        }
    }

    // Walks the document and fails on the first key the table does not have.
    void reject_unknown(const toml::table& t, const std::string& prefix) const {
        for (const auto& [k, v] : t) {
            const std::string key = prefix + std::string(k.str());
            if (const auto moved = moved_to(key))
                fail(key, "moved: write it as " + std::string(*moved),
                     static_cast<unsigned>(k.source().begin.line));
            if (!known_.count(key)) fail(key, "unknown key", static_cast<unsigned>(k.source().begin.line));
            if (v.is_table()) reject_unknown(*v.as_table(), key + ".");
            if (v.is_array_of_tables())
                for (const auto& e : *v.as_array())
                    reject_unknown(*e.as_table(), key + ".");
        }
    }

private:
    static std::string quoted_choices(const std::vector<std::string>& words) {
        std::string out;
        for (std::size_t i = 0; i < words.size(); ++i) {
            if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
            out += "\"" + words[i] + "\"";
        }
        return out;
    }

    std::string source_;
    std::set<std::string> known_;
};

// Rules across sections, after every key was read.
void check_consistency(const Reader& r, const Config& c) {
    const auto& listeners = c.smtp.listeners;
    if (listeners.empty()) r.fail("listener", "at least one [[listener]] is required");
    const bool needs_tls = std::any_of(listeners.begin(), listeners.end(),
                                       [](const Listener& l) { return l.tls == TlsMode::implicit; });
    if (needs_tls && (c.tls.cert.empty() || c.tls.key.empty()))
        r.fail("tls.cert", "an implicit-TLS listener needs [tls] cert and key");
    if (auto problem = admin_token_problem(c.admin.token)) r.fail("admin.token", *problem);
    if (c.http.port == 0 && c.http.https_port == 0)
        r.fail("http.port", "the public listener needs port or https_port");
    // One of the pair alone would silently take the other from [tls]: a certificate with a key
    // that is not its own.
    if (c.http.key.empty() != c.http.cert.empty()) {
        if (c.http.key.empty()) r.fail("http.key", "is required when http.cert is set");
        r.fail("http.cert", "is required when http.key is set");
    }
    const bool https_has_cert = !(c.http.cert.empty() ? c.tls.cert : c.http.cert).empty() &&
                                !(c.http.key.empty() ? c.tls.key : c.http.key).empty();
    if (c.http.https_port != 0 && !https_has_cert)
        r.fail("http.https_port", "HTTPS needs [http] cert and key or [tls] cert and key");
    if (c.server.data_dir.empty()) r.fail("server.data_dir", "must not be empty");
    if (!c.notify.ca_file.empty() && !std::ifstream(c.notify.ca_file))
        r.fail("notify.ca_file", "cannot read " + c.notify.ca_file);
    if (!c.delivery.tls_ca_file.empty() && !std::ifstream(c.delivery.tls_ca_file))
        r.fail("delivery.tls_ca_file", "cannot read " + c.delivery.tls_ca_file);
}

// toml++ quotes the offending character as it is: a newline in it would break the one-line error.
std::string escape_controls(std::string_view text) {
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f)
            out += fmt::format("\\x{:02x}", u);
        else
            out += c;
    }
    return out;
}

toml::table parse_toml(const std::string& text, const std::string& source) {
    try {
        return toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        std::ostringstream msg;
        msg << source << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
            << escape_controls(e.description());
        throw ConfigError(msg.str(), static_cast<unsigned>(e.source().begin.line));
    }
}

Config read_document(const toml::table& root, Reader& r) {
    Config c;
    for (const auto& entry : key_table())
        std::visit([&](const auto& section) { r.read(root, section, c); }, entry);
    r.reject_unknown(root, "");
    return c;
}

} // namespace

Config read_keys(const std::string& text, const std::string& source) {
    Reader r(source);
    return read_document(parse_toml(text, source), r);
}

Config parse_config(const std::string& text, const std::string& source) {
    Reader r(source);
    Config c = read_document(parse_toml(text, source), r);
    check_consistency(r, c);
    if (c.admin.token_file.empty())
        c.admin.token_file = (std::filesystem::path(c.server.data_dir) / "admin.token").string();
    return c;
}

Config load_config(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path + ": cannot open the configuration file");
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_config(ss.str(), path);
}

} // namespace mailpush::config
