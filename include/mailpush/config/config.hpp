// The typed, immutable server configuration (SPEC §10) and its loader.
// Loading reads a file given by the operator: untrusted in shape, so every key is checked,
// unknown keys are refused, and the first problem is reported as one line naming the key.
#pragma once

#include "mailpush/smtp/reply.hpp"

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace mailpush::config {

using std::chrono::milliseconds;

enum class TlsMode { none, starttls, implicit };

struct Listener {
    std::string name;
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;
    TlsMode tls = TlsMode::starttls;
    bool auth_requires_tls = false;
};

struct Route {
    std::string domain; // "*" or a recipient domain
    std::string to;     // "mx", "smtp://host:port", "capture:DIR" or "hold"
};

struct Config {
    // [server]
    std::string hostname = "localhost";
    std::string data_dir = "/var/lib/mailpush";
    std::string region = "cn-hangzhou";
    std::string log_level = "info";
    std::string log_format = "text"; // or "json"
    unsigned worker_threads = 1;     // I/O threads running the event loop
    std::chrono::milliseconds shutdown_grace{10'000};
    bool allow_private_ip_protection = false; // let IP protection list loopback/private ranges (tests, labs)
    bool require_verified_domain = true;      // send only from domains whose DNS records were verified
    // [[listener]]
    std::vector<Listener> listeners;
    // [tls]
    std::string tls_cert;
    std::string tls_key;
    bool tls_self_signed = false; // make a self-signed pair at these paths if missing
    // [http]
    std::string http_address = "127.0.0.1";
    std::uint16_t http_port = 8080;
    std::string admin_token;
    std::string public_url; // base of links mailed to users; "" = http://address:port
    milliseconds max_clock_skew{900'000};
    unsigned http_max_connections = 1024; // OpenAPI request timestamps (the hosted service: 15 min)
    // [smtp]
    smtp::ReplyStyle reply_style = smtp::ReplyStyle::directmail;
    std::size_t max_line_length = 2048;
    milliseconds idle_timeout{300'000};
    milliseconds data_timeout{600'000};
    milliseconds session_timeout{3'600'000};
    unsigned max_errors = 20;
    unsigned max_auth_failures = 5;
    unsigned max_connections = 20'000;
    unsigned max_connections_per_ip = 200;
    unsigned auth_failures_per_ip = 20;
    milliseconds auth_failure_window{600'000};
    milliseconds auth_failure_delay{1'000}; // upper bound of the random delay before 535
    // [limits]
    std::size_t max_message_bytes = 15 * 1024 * 1024;
    std::size_t max_recipients = 30;
    // [spool]
    std::uint64_t min_free_bytes = 100ULL * 1024 * 1024;
    unsigned spool_writers = 4;
    std::string fault_injection; // testing only: "", "write", "fsync", "rename"
    // [auth]
    unsigned pbkdf2_iterations = 100'000;
    // [accounts]: the account model's limits (SPEC §6; the seeds' values are the defaults)
    std::int64_t default_daily_quota = 20'000;
    std::int64_t default_monthly_quota = 600'000;
    unsigned max_domains = 5;
    unsigned max_addresses = 10;
    unsigned max_address_deletions_per_month = 4;
    unsigned max_ip_entries = 10;
    unsigned max_tags = 10;
    unsigned max_receiver_lists = 10;
    unsigned max_receivers_per_list = 10'000;
    unsigned max_templates = 40;
    std::size_t max_template_subject = 100;    // characters
    std::size_t max_template_body = 28 * 1024; // bytes
    unsigned max_access_keys = 5;
    // [dns]
    std::vector<std::string> dns_servers;
    // [delivery]
    std::uint16_t remote_port = 25;
    milliseconds retry_initial{60'000};
    milliseconds retry_max{3'600'000};
    milliseconds max_lifetime{3 * 86'400'000LL};
    unsigned max_deliveries = 200;         // delivery attempts in flight, in total
    unsigned max_per_destination = 20;     // ... and per destination (route target or MX domain)
    unsigned max_rate_per_destination = 0; // attempts started per second per destination; 0 = no limit
    milliseconds connect_timeout{30'000};
    milliseconds command_timeout{300'000};         // RFC 5321 §4.5.3.2: 5 minutes for most replies
    unsigned invalid_address_threshold = 2;        // hard bounces (SmtpNxBox) before the invalid library
    int event_utc_offset_minutes = 480;            // event times in this offset (the hosted service: +08:00)
    milliseconds log_retention{30 * 86'400'000LL}; // finished messages' delivery details are kept this long
    // [notify] (SPEC §7 notifications, docs/notifications.md)
    milliseconds notify_visibility_timeout{30'000};        // a received queue message is hidden this long
    milliseconds notify_queue_retention{4 * 86'400'000LL}; // undeleted queue messages are dropped after
    milliseconds notify_push_timeout{10'000};              // one POST, connect to answer
    milliseconds notify_push_retry_initial{10'000};        // a failed POST is retried after this,
    milliseconds notify_push_retry_max{600'000};           // doubling up to this,
    milliseconds notify_push_max_lifetime{86'400'000};     // until the event is this old
    std::string notify_ca_file; // CAs trusted for https targets besides the system's
    // [[route]]
    std::vector<Route> routes;
};

// Thrown by load_config; what() is one line: "FILE: key 'smtp.reply_style': must be ...".
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

Config load_config(const std::string& path);
Config parse_config(const std::string& toml_text, const std::string& source_name);

} // namespace mailpush::config
