// Config loading with toml++. Every getter records the key it read; afterwards any key that
// nobody read is reported as unknown, so a typo never silently falls back to a default.
#include "mailpush/config/config.hpp"

#include "mailpush/common/strings.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

namespace mailpush::config {
namespace {

class Reader {
public:
    Reader(const toml::table& root, std::string source)
        : root_(root)
        , source_(std::move(source)) {}

    [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
        throw ConfigError(source_ + ": key '" + key + "': " + problem);
    }

    const toml::node* node(const toml::table& t, const std::string& prefix, const std::string& name) {
        known_.insert(prefix + name);
        return t.get(name);
    }

    void str(const toml::table& t, const std::string& prefix, const std::string& name, std::string& out) {
        if (const auto* n = node(t, prefix, name)) {
            auto v = n->value<std::string>();
            if (!n->is_string() || !v) fail(prefix + name, "must be a string");
            out = *v;
        }
    }

    void boolean(const toml::table& t, const std::string& prefix, const std::string& name, bool& out) {
        if (const auto* n = node(t, prefix, name)) {
            if (!n->is_boolean()) fail(prefix + name, "must be true or false");
            out = *n->value<bool>();
        }
    }

    template <class T>
    void integer(const toml::table& t, const std::string& prefix, const std::string& name, T& out,
                 std::int64_t min, std::int64_t max) {
        if (const auto* n = node(t, prefix, name)) {
            if (!n->is_integer()) fail(prefix + name, "must be an integer");
            const auto v = *n->value<std::int64_t>();
            if (v < min || v > max)
                fail(prefix + name, "must be between " + std::to_string(min) + " and " + std::to_string(max));
            out = static_cast<T>(v);
        }
    }

    // "30s", "5m" ... or an integer number of seconds.
    void duration(const toml::table& t, const std::string& prefix, const std::string& name, milliseconds& out,
                  milliseconds min) {
        if (const auto* n = node(t, prefix, name)) {
            std::optional<milliseconds> v;
            if (n->is_integer() && *n->value<std::int64_t>() >= 0)
                v = milliseconds(*n->value<std::int64_t>() * 1000);
            else if (n->is_string())
                v = common::parse_duration(*n->value<std::string>());
            if (!v) fail(prefix + name, "must be a duration such as \"30s\", \"5m\", \"1h\" or \"3d\"");
            if (*v < min) fail(prefix + name, "must be at least " + std::to_string(min.count()) + "ms");
            out = *v;
        }
    }

    // "15M", "64k" ... or an integer number of bytes.
    template <class T>
    void size(const toml::table& t, const std::string& prefix, const std::string& name, T& out,
              std::uint64_t min) {
        if (const auto* n = node(t, prefix, name)) {
            std::optional<std::uint64_t> v;
            if (n->is_integer() && *n->value<std::int64_t>() >= 0)
                v = static_cast<std::uint64_t>(*n->value<std::int64_t>());
            else if (n->is_string())
                v = common::parse_size(*n->value<std::string>());
            if (!v) fail(prefix + name, "must be a size such as 1048576, \"64k\", \"15M\" or \"1G\"");
            if (*v < min) fail(prefix + name, "must be at least " + std::to_string(min));
            out = static_cast<T>(*v);
        }
    }

    const toml::table* table(const std::string& name) {
        known_.insert(name);
        const auto* n = root_.get(name);
        if (!n) return nullptr;
        if (!n->is_table()) fail(name, "must be a table [" + name + "]");
        return n->as_table();
    }

    const toml::array* array_of_tables(const std::string& name) {
        known_.insert(name);
        const auto* n = root_.get(name);
        if (!n) return nullptr;
        if (!n->is_array_of_tables()) fail(name, "must be an array of tables [[" + name + "]]");
        return n->as_array();
    }

    // Walks the document and fails on the first key nobody asked for.
    void reject_unknown(const toml::table& t, const std::string& prefix) {
        for (const auto& [k, v] : t) {
            const std::string key = prefix + std::string(k.str());
            if (!known_.count(key)) fail(key, "unknown key");
            if (v.is_table()) reject_unknown(*v.as_table(), key + ".");
            if (v.is_array_of_tables())
                for (const auto& e : *v.as_array())
                    reject_unknown(*e.as_table(), key + ".");
        }
    }

    const std::string& source() const { return source_; }

private:
    const toml::table& root_;
    std::string source_;
    std::set<std::string> known_;
};

constexpr std::int64_t kMaxU16 = 65535;

void read_listeners(Reader& r, Config& c) {
    const auto* arr = r.array_of_tables("listener");
    if (!arr) return;
    std::set<std::string> names;
    for (const auto& e : *arr) {
        const auto& t = *e.as_table();
        Listener l;
        const std::string p = "listener.";
        r.str(t, p, "name", l.name);
        r.str(t, p, "address", l.address);
        r.integer(t, p, "port", l.port, 0, kMaxU16);
        std::string tls = "starttls";
        r.str(t, p, "tls", tls);
        if (tls == "starttls")
            l.tls = TlsMode::starttls;
        else if (tls == "implicit")
            l.tls = TlsMode::implicit;
        else if (tls == "none")
            l.tls = TlsMode::none;
        else
            r.fail(p + "tls", "must be \"starttls\", \"implicit\" or \"none\"");
        r.boolean(t, p, "auth_requires_tls", l.auth_requires_tls);
        if (l.name.empty()) r.fail(p + "name", "is required for every [[listener]]");
        if (!names.insert(l.name).second) r.fail(p + "name", "duplicate listener name \"" + l.name + "\"");
        c.listeners.push_back(std::move(l));
    }
}

void read_routes(Reader& r, Config& c) {
    const auto* arr = r.array_of_tables("route");
    if (!arr) return;
    for (const auto& e : *arr) {
        const auto& t = *e.as_table();
        Route rt;
        r.str(t, "route.", "domain", rt.domain);
        r.str(t, "route.", "to", rt.to);
        if (rt.domain.empty()) r.fail("route.domain", "is required for every [[route]]");
        if (!(rt.to == "mx" || rt.to == "hold" || rt.to.starts_with("smtp://") ||
              rt.to.starts_with("capture:")))
            r.fail("route.to", "must be \"mx\", \"smtp://host:port\", \"capture:DIR\" or \"hold\"");
        c.routes.push_back(std::move(rt));
    }
}

void read_sections(Reader& r, Config& c) {
    if (const auto* t = r.table("server")) {
        const std::string p = "server.";
        r.str(*t, p, "hostname", c.hostname);
        r.str(*t, p, "data_dir", c.data_dir);
        r.str(*t, p, "region", c.region);
        r.str(*t, p, "log_level", c.log_level);
        r.str(*t, p, "log_format", c.log_format);
        r.integer(*t, p, "worker_threads", c.worker_threads, 1, 64);
        r.duration(*t, p, "shutdown_grace", c.shutdown_grace, milliseconds(0));
        r.boolean(*t, p, "allow_private_ip_protection", c.allow_private_ip_protection);
        r.boolean(*t, p, "require_verified_domain", c.require_verified_domain);
        static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error", "off"};
        if (!levels.count(c.log_level))
            r.fail(p + "log_level", "must be one of trace, debug, info, warn, error, off");
        if (c.log_format != "text" && c.log_format != "json")
            r.fail(p + "log_format", "must be \"text\" or \"json\"");
        if (c.hostname.empty() || c.hostname.find_first_of(" \r\n") != std::string::npos)
            r.fail(p + "hostname", "must be a host name without blanks");
    }
    read_listeners(r, c);
    if (const auto* t = r.table("tls")) {
        r.str(*t, "tls.", "cert", c.tls_cert);
        r.str(*t, "tls.", "key", c.tls_key);
        r.boolean(*t, "tls.", "self_signed", c.tls_self_signed);
    }
    if (const auto* t = r.table("http")) {
        r.str(*t, "http.", "address", c.http_address);
        r.integer(*t, "http.", "port", c.http_port, 0, kMaxU16);
        r.str(*t, "http.", "admin_token", c.admin_token);
        r.str(*t, "http.", "public_url", c.public_url);
        r.duration(*t, "http.", "max_clock_skew", c.max_clock_skew, milliseconds(1000));
        r.integer(*t, "http.", "max_connections", c.http_max_connections, 1u, 100'000u);
        if (!c.public_url.empty() && !c.public_url.starts_with("http://") &&
            !c.public_url.starts_with("https://"))
            r.fail("http.public_url", "must start with http:// or https://");
    }
    if (const auto* t = r.table("smtp")) {
        const std::string p = "smtp.";
        std::string style = "directmail";
        r.str(*t, p, "reply_style", style);
        if (style == "directmail")
            c.reply_style = smtp::ReplyStyle::directmail;
        else if (style == "rfc")
            c.reply_style = smtp::ReplyStyle::rfc;
        else
            r.fail(p + "reply_style", "must be \"directmail\" or \"rfc\"");
        r.size(*t, p, "max_line_length", c.max_line_length, 512); // RFC 5321 §4.5.3.1.4
        r.duration(*t, p, "idle_timeout", c.idle_timeout, milliseconds(100));
        r.duration(*t, p, "data_timeout", c.data_timeout, milliseconds(100));
        r.duration(*t, p, "session_timeout", c.session_timeout, milliseconds(100));
        r.integer(*t, p, "max_errors", c.max_errors, 1, 1000);
        r.integer(*t, p, "max_auth_failures", c.max_auth_failures, 1, 1000);
        r.integer(*t, p, "max_connections", c.max_connections, 1, 1'000'000);
        r.integer(*t, p, "max_connections_per_ip", c.max_connections_per_ip, 1, 1'000'000);
        r.integer(*t, p, "auth_failures_per_ip", c.auth_failures_per_ip, 1, 1'000'000);
        r.duration(*t, p, "auth_failure_window", c.auth_failure_window, milliseconds(1000));
        r.duration(*t, p, "auth_failure_delay", c.auth_failure_delay, milliseconds(0));
    }
    if (const auto* t = r.table("limits")) {
        r.size(*t, "limits.", "max_message_bytes", c.max_message_bytes, 1024);
        r.integer(*t, "limits.", "max_recipients", c.max_recipients, 1, 10'000);
    }
    if (const auto* t = r.table("spool")) {
        r.size(*t, "spool.", "min_free_bytes", c.min_free_bytes, 0);
        r.integer(*t, "spool.", "writers", c.spool_writers, 1, 64);
        r.str(*t, "spool.", "fault_injection", c.fault_injection);
        static const std::set<std::string> faults{"", "write", "fsync", "rename"};
        if (!faults.count(c.fault_injection))
            r.fail("spool.fault_injection", "must be \"\", \"write\", \"fsync\" or \"rename\"");
    }
    if (const auto* t = r.table("auth"))
        r.integer(*t, "auth.", "pbkdf2_iterations", c.pbkdf2_iterations, 1000, 10'000'000);
    if (const auto* t = r.table("accounts")) {
        const std::string p = "accounts.";
        r.integer(*t, p, "default_daily_quota", c.default_daily_quota, std::int64_t{0},
                  std::int64_t{1'000'000'000});
        r.integer(*t, p, "default_monthly_quota", c.default_monthly_quota, std::int64_t{0},
                  std::int64_t{30'000'000'000});
        r.integer(*t, p, "max_domains", c.max_domains, 1u, 10'000u);
        r.integer(*t, p, "max_addresses", c.max_addresses, 1u, 100'000u);
        r.integer(*t, p, "max_address_deletions_per_month", c.max_address_deletions_per_month, 0u, 100'000u);
        r.integer(*t, p, "max_ip_entries", c.max_ip_entries, 1u, 1000u);
        r.integer(*t, p, "max_tags", c.max_tags, 1u, 10'000u);
        r.integer(*t, p, "max_receiver_lists", c.max_receiver_lists, 1u, 10'000u);
        r.integer(*t, p, "max_receivers_per_list", c.max_receivers_per_list, 1u, 10'000'000u);
        r.integer(*t, p, "max_templates", c.max_templates, 1u, 100'000u);
        r.integer(*t, p, "max_template_subject", c.max_template_subject, std::size_t{1}, std::size_t{998});
        r.size(*t, p, "max_template_body", c.max_template_body, 1);
        if (c.max_template_body > 16 * 1024 * 1024) r.fail(p + "max_template_body", "must be at most 16M");
        r.integer(*t, p, "max_access_keys", c.max_access_keys, 1u, 1000u);
    }
    if (const auto* t = r.table("dns")) {
        if (const auto* n = r.node(*t, "dns.", "servers")) {
            const auto* arr = n->as_array();
            if (!arr) r.fail("dns.servers", "must be an array of \"address:port\" strings");
            for (const auto& e : *arr) {
                if (!e.is_string()) r.fail("dns.servers", "must be an array of \"address:port\" strings");
                c.dns_servers.push_back(*e.value<std::string>());
            }
        }
    }
    if (const auto* t = r.table("delivery")) {
        const std::string p = "delivery.";
        r.integer(*t, p, "remote_port", c.remote_port, 1, kMaxU16);
        r.duration(*t, p, "retry_initial", c.retry_initial, milliseconds(100));
        r.duration(*t, p, "retry_max", c.retry_max, milliseconds(100));
        r.duration(*t, p, "max_lifetime", c.max_lifetime, milliseconds(1000));
        r.integer(*t, p, "max_deliveries", c.max_deliveries, 1, 100'000);
        r.integer(*t, p, "max_per_destination", c.max_per_destination, 1, 10'000);
        r.integer(*t, p, "max_rate_per_destination", c.max_rate_per_destination, 0, 100'000);
        r.duration(*t, p, "connect_timeout", c.connect_timeout, milliseconds(100));
        r.duration(*t, p, "command_timeout", c.command_timeout, milliseconds(100));
        r.integer(*t, p, "invalid_address_threshold", c.invalid_address_threshold, 1, 1000);
        r.integer(*t, p, "event_utc_offset_minutes", c.event_utc_offset_minutes, -720, 840);
        r.duration(*t, p, "log_retention", c.log_retention, milliseconds(60'000));
    }
    if (const auto* t = r.table("notify")) {
        const std::string p = "notify.";
        r.duration(*t, p, "visibility_timeout", c.notify_visibility_timeout, milliseconds(1000));
        r.duration(*t, p, "queue_retention", c.notify_queue_retention, milliseconds(60'000));
        r.duration(*t, p, "push_timeout", c.notify_push_timeout, milliseconds(100));
        r.duration(*t, p, "push_retry_initial", c.notify_push_retry_initial, milliseconds(100));
        r.duration(*t, p, "push_retry_max", c.notify_push_retry_max, milliseconds(100));
        r.duration(*t, p, "push_max_lifetime", c.notify_push_max_lifetime, milliseconds(60'000));
        r.str(*t, p, "ca_file", c.notify_ca_file);
    }
    read_routes(r, c);
}

void check_consistency(const Reader& r, const Config& c) {
    if (c.listeners.empty()) r.fail("listener", "at least one [[listener]] is required");
    const bool needs_tls = std::any_of(c.listeners.begin(), c.listeners.end(),
                                       [](const Listener& l) { return l.tls == TlsMode::implicit; });
    if (needs_tls && (c.tls_cert.empty() || c.tls_key.empty()))
        r.fail("tls.cert", "an implicit-TLS listener needs [tls] cert and key");
    if (c.admin_token.size() < 16) r.fail("http.admin_token", "must be set, at least 16 characters");
    if (c.data_dir.empty()) r.fail("server.data_dir", "must not be empty");
    if (!c.notify_ca_file.empty() && !std::ifstream(c.notify_ca_file))
        r.fail("notify.ca_file", "cannot read " + c.notify_ca_file);
}

} // namespace

Config parse_config(const std::string& text, const std::string& source) {
    toml::table root;
    try {
        root = toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        std::ostringstream msg;
        msg << source << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
            << e.description();
        throw ConfigError(msg.str());
    }
    Config c;
    Reader r(root, source);
    read_sections(r, c);
    r.reject_unknown(root, "");
    check_consistency(r, c);
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
