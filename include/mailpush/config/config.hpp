// The typed, immutable server configuration and its loader.
// Config is made of each module's own options struct, declared in that module's header; a module
// receives only its part. Values several modules need from one key (the host name, the region,
// the event time zone, the message size limit) are copied by the key table into every part that
// uses them, so no module reaches into another's part. ServerOptions and TlsFiles are the
// process's own parts (logging, threads, shutdown, certificate files).
// Loading reads a file given by the operator: untrusted in shape, so every key is checked,
// unknown keys are refused, and the first problem is reported as one line naming the key.
#pragma once

#include "mailpush/api/console_options.hpp"
#include "mailpush/api/http_options.hpp"
#include "mailpush/delivery/options.hpp"
#include "mailpush/delivery/tracking_options.hpp"
#include "mailpush/net/smtp_options.hpp"
#include "mailpush/notify/options.hpp"
#include "mailpush/openapi/options.hpp"
#include "mailpush/spool/options.hpp"
#include "mailpush/store/limits.hpp"

#include <chrono>
#include <stdexcept>
#include <string>

namespace mailpush::config {

using std::chrono::milliseconds;
using Listener = net::Listener;
using TlsMode = net::TlsMode;
using Route = delivery::Route;
using Destination = delivery::DestinationRule;

struct ServerOptions {
    std::string hostname = "localhost";
    std::string data_dir = "/var/lib/mailpush";
    std::string region = "cn-hangzhou";
    std::string log_level = "info";
    std::string log_format = "text"; // or "json"
    unsigned worker_threads = 1;     // I/O threads running the event loop
    milliseconds shutdown_grace{10'000};
    std::string user = "mailpush"; // started as root: bind, then run as this user ("" = stay)
};

struct TlsFiles {
    std::string cert;
    std::string key;
    bool self_signed = false; // make a self-signed pair at these paths if missing
};

struct Config {
    ServerOptions server;               // [server]
    TlsFiles tls;                       // [tls]
    net::SmtpOptions smtp;              // [[listener]], [smtp], [limits]
    api::HttpOptions http;              // [http]: the public listener
    api::AdminOptions admin;            // [admin]: the operator listener
    openapi::OpenApiOptions openapi;    // [http] max_clock_skew, public_url
    spool::SpoolOptions spool;          // [spool]
    store::StoreLimits store;           // [accounts], [auth]
    notify::NotifierOptions notify;     // [notify]
    delivery::EngineOptions delivery;   // [delivery], [dns], [[route]]
    delivery::TrackingOptions tracking; // [tracking]
    api::ConsoleOptions console;        // [console]
};

// Thrown by load_config; what() is one line: "FILE: key 'smtp.reply_style': must be ...".
// line() is the line of the offending key in the file, 0 when there is none (a missing key).
class ConfigError : public std::runtime_error {
public:
    explicit ConfigError(const std::string& what, unsigned line = 0)
        : std::runtime_error(what)
        , line_(line) {}
    unsigned line() const { return line_; }

private:
    unsigned line_;
};

Config load_config(const std::string& path);
Config parse_config(const std::string& toml_text, const std::string& source_name);

// Every key with its default and its one-line doc as a comment: a TOML file that, once the
// required values (a [[listener]]) are filled in, loads as the default Config.
std::string print_defaults();
// The key table of docs/config.md (Markdown), generated from the same table.
std::string config_doc_table();

} // namespace mailpush::config
