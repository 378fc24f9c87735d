// The key table: every public configuration key, in file order. Names, types, bounds and the
// checks beyond them are the contract of docs/config.md; defaults come from the parts' structs.
#include "mailpush/config/keys.hpp"

#include "sinks.hpp"

#include "mailpush/delivery/destination_rules.hpp"
#include "mailpush/delivery/route.hpp"
#include "mailpush/store/ip_ranges.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <sys/un.h>

namespace mailpush::config {
namespace {

using sinks::to;
using sinks::to_enum;
using sinks::Word;
using sinks::words_of;
using Sinks = std::vector<Sink<Config>>;

template <class T>
Key<T> key(std::string name, KeyType type, std::string doc, std::vector<Sink<T>> s) {
    Key<T> k;
    k.name = std::move(name);
    k.type = type;
    k.doc = std::move(doc);
    k.sinks = std::move(s);
    return k;
}
template <class T>
Key<T> text(std::string name, std::string doc, std::vector<Sink<T>> s) {
    return key(std::move(name), KeyType::string, std::move(doc), std::move(s));
}
template <class T>
Key<T> flag(std::string name, std::string doc, std::vector<Sink<T>> s) {
    return key(std::move(name), KeyType::boolean, std::move(doc), std::move(s));
}
template <class T>
Key<T> integer(std::string name, std::int64_t min, std::int64_t max, std::string doc,
               std::vector<Sink<T>> s) {
    auto k = key(std::move(name), KeyType::integer, std::move(doc), std::move(s));
    k.min = min;
    k.max = max;
    return k;
}
template <class T>
Key<T> decimal(std::string name, std::int64_t min_milli, std::int64_t max_milli, std::string doc,
               std::vector<Sink<T>> s) {
    auto k = key(std::move(name), KeyType::decimal, std::move(doc), std::move(s));
    k.min = min_milli;
    k.max = max_milli;
    return k;
}
Key<Config> duration(std::string name, std::int64_t min_ms, std::string doc, Sinks s) {
    auto k = key(std::move(name), KeyType::duration, std::move(doc), std::move(s));
    k.min = min_ms;
    return k;
}
// max 0: no upper bound.
Key<Config> size(std::string name, std::int64_t min, std::int64_t max, std::string doc, Sinks s) {
    auto k = key(std::move(name), KeyType::size, std::move(doc), std::move(s));
    k.min = min;
    k.max = max;
    return k;
}
template <class T>
Key<T> choice(std::string name, std::vector<std::string> words, std::string doc, std::vector<Sink<T>> s) {
    auto k = key(std::move(name), KeyType::choice, std::move(doc), std::move(s));
    k.choices = std::move(words);
    return k;
}
template <class T>
Key<T> list(std::string name, std::string doc, std::vector<Sink<T>> s) {
    return key(std::move(name), KeyType::string_list, std::move(doc), std::move(s));
}
template <class T>
Key<T> checked(Key<T> k, std::string rule, std::optional<std::string> (*check)(const Value&)) {
    k.rule = std::move(rule);
    k.check = check;
    return k;
}

constexpr std::int64_t kMaxU16 = 65535;

constexpr std::array<Word<smtp::ReplyStyle>, 2> kReplyStyles{
    {{"directmail", smtp::ReplyStyle::directmail}, {"rfc", smtp::ReplyStyle::rfc}}};
constexpr std::array<Word<smtp::FromHeaderPolicy>, 2> kFromHeaderPolicies{
    {{"account-domains", smtp::FromHeaderPolicy::account_domains}, {"any", smtp::FromHeaderPolicy::any}}};
constexpr std::array<Word<delivery::LinkHost>, 2> kLinkHosts{
    {{"cname", delivery::LinkHost::cname}, {"public", delivery::LinkHost::public_url}}};
constexpr std::array<Word<TlsMode>, 3> kTlsModes{
    {{"starttls", TlsMode::starttls}, {"implicit", TlsMode::implicit}, {"none", TlsMode::none}}};

std::optional<std::string> host_name_rule(const Value& v) {
    const auto& s = std::get<std::string>(v);
    if (s.empty() || s.find_first_of(" \r\n") != std::string::npos)
        return "must be a host name without blanks";
    return std::nullopt;
}

std::optional<std::string> user_name_rule(const Value& v) {
    const auto& s = std::get<std::string>(v);
    const bool name_chars = std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '_' || c == '-' || c == '.';
    });
    if (!name_chars || (!s.empty() && s.front() == '-') || s.size() > 32)
        return "must be a user name (letters, digits, _ - .) or empty";
    return std::nullopt;
}

std::optional<std::string> socket_path_rule(const Value& v) {
    // The kernel takes a unix socket path of at most sun_path's size including the final NUL.
    if (std::get<std::string>(v).size() >= sizeof(sockaddr_un::sun_path))
        return "must be at most " + std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes long";
    return std::nullopt;
}

std::optional<std::string> log_level_rule(const Value& v) {
    static const std::array<std::string_view, 6> levels{"trace", "debug", "info", "warn", "error", "off"};
    if (std::find(levels.begin(), levels.end(), std::get<std::string>(v)) == levels.end())
        return "must be one of trace, debug, info, warn, error, off";
    return std::nullopt;
}

std::optional<std::string> http_url_rule(const Value& v) {
    const auto& s = std::get<std::string>(v);
    if (!s.empty() && !s.starts_with("http://") && !s.starts_with("https://"))
        return "must start with http:// or https://";
    return std::nullopt;
}

std::optional<std::string> exact_domains_rule(const Value& v) {
    for (const auto& d : std::get<std::vector<std::string>>(v))
        if (d.empty() || d.find_first_of("*? \r\n") != std::string::npos)
            return "must be exact domain names (no patterns such as \"*\")";
    return std::nullopt;
}

std::optional<std::string> cidr_list_rule(const Value& v) {
    for (const auto& n : std::get<std::vector<std::string>>(v)) {
        std::string error;
        if (n.find('/') == std::string::npos || !store::parse_ip_entry(n, error))
            return "\"" + n + "\" is not a network in CIDR form (\"17.0.0.0/8\", \"2620:149::/32\")";
    }
    return std::nullopt;
}

std::optional<std::string> route_target_rule(const Value& v) {
    // The engine's own parser: a value it could not use (a bad port, a path) is refused here
    // rather than holding that domain's mail at run time.
    if (delivery::parse_route(std::get<std::string>(v))) return std::nullopt;
    return "must be \"mx\", \"smtp://host:port\", \"capture:DIR\" or \"hold\"";
}

std::optional<std::pair<std::string, std::string>> listener_rule(const Listener& l,
                                                                 const std::vector<Listener>& before) {
    if (l.name.empty()) return {{"name", "is required for every [[listener]]"}};
    if (std::any_of(before.begin(), before.end(), [&](const Listener& b) { return b.name == l.name; }))
        return {{"name", "duplicate listener name \"" + l.name + "\""}};
    return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> route_rule(const Route& r, const std::vector<Route>&) {
    if (r.domain.empty()) return {{"domain", "is required for every [[route]]"}};
    if (auto problem = route_target_rule(r.to)) return {{"to", *problem}}; // also when `to` is missing
    return std::nullopt;
}

std::optional<std::string> destination_patterns_rule(const Value& v) {
    const auto& patterns = std::get<std::vector<std::string>>(v);
    if (patterns.empty()) return "must list at least one pattern";
    for (const auto& p : patterns)
        if (auto problem = delivery::destination_pattern_problem(p)) return "\"" + p + "\" " + *problem;
    return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> destination_rule(const Destination& d,
                                                                    const std::vector<Destination>& before) {
    if (d.name.empty()) return {{"name", "is required for every [[destination]]"}};
    if (std::any_of(before.begin(), before.end(), [&](const Destination& b) { return b.name == d.name; }))
        return {{"name", "duplicate destination name \"" + d.name + "\""}};
    if (auto problem = destination_patterns_rule(d.match)) return {{"match", *problem}};
    return std::nullopt;
}

std::vector<TableEntry> build_table() {
    using C = Config;
    using net::SmtpOptions;
    using smtp::SessionLimits;
    using O = openapi::OpenApiOptions;
    using S = store::StoreLimits;
    using T = store::TrafficDefaults;
    using N = notify::NotifierOptions;
    using D = delivery::EngineOptions;
    std::vector<TableEntry> t;
    t.push_back(Section{
        "server",
        {
            checked(text<C>("hostname", "our name in the greeting, EHLO, Received, Message-ID",
                            {to<C, &C::server, &ServerOptions::hostname>(),
                             to<C, &C::smtp, &SmtpOptions::session, &SessionLimits::hostname>(),
                             to<C, &C::spool, &spool::SpoolOptions::hostname>(),
                             to<C, &C::store, &S::service_host>(), to<C, &C::openapi, &O::hostname>(),
                             to<C, &C::delivery, &D::hostname>()}),
                    "no blanks", host_name_rule),
            text<C>("data_dir", "spool and store live here", {to<C, &C::server, &ServerOptions::data_dir>()}),
            text<C>("region", "region name of new accounts and events",
                    {to<C, &C::server, &ServerOptions::region>(), to<C, &C::openapi, &O::region>(),
                     to<C, &C::delivery, &D::region>()}),
            checked(text<C>("log_level", "least severe level logged",
                            {to<C, &C::server, &ServerOptions::log_level>()}),
                    "trace, debug, info, warn, error, off", log_level_rule),
            choice<C>("log_format", {"text", "json"}, "one line per event, `event key=value …`",
                      {to<C, &C::server, &ServerOptions::log_format>()}),
            integer<C>("worker_threads", 1, 64, "threads running the event loop",
                       {to<C, &C::server, &ServerOptions::worker_threads>()}),
            duration("shutdown_grace", 0, "how long SIGTERM waits for busy sessions",
                     {to<C, &C::server, &ServerOptions::shutdown_grace>()}),
            checked(text<C>("user",
                            "started as root, the listeners are bound and then the server runs as this user, "
                            "owner of `data_dir`; empty: keep the identity it was started with",
                            {to<C, &C::server, &ServerOptions::user>()}),
                    "a user name or empty", user_name_rule),
            flag<C>("allow_private_ip_protection",
                    "let IP protection list loopback/private ranges (dev config, tests)",
                    {to<C, &C::store, &S::allow_private_ip_entries>()}),
            flag<C>(
                "require_verified_domain",
                "send only from domains whose ownership, SPF and DKIM records were verified (false in dev)",
                {to<C, &C::smtp, &SmtpOptions::require_verified_domain>(),
                 to<C, &C::openapi, &O::require_verified_domain>()}),
        }});
    using L = Listener;
    t.push_back(ArraySection<Listener>{
        "listener",
        "one SMTP listening socket; at least one is required",
        {
            text<L>("name", "`smtp`, `smtp-alt`, `smtps`, … (required, unique)", {to<L, &L::name>()}),
            text<L>("address", "bind address", {to<L, &L::address>()}),
            integer<L>("port", 0, kMaxU16, "0 = any free port (tests)", {to<L, &L::port>()}),
            choice<L>("tls", words_of(kTlsModes), "STARTTLS is offered only if `[tls]` has a certificate",
                      {to_enum<kTlsModes, L, &L::tls>()}),
            flag<L>("auth_requires_tls", "refuse AUTH before TLS", {to<L, &L::auth_requires_tls>()}),
            flag<L>("inbound",
                    "accept mail for the accounts' own addresses (bounces, complaints, replies) without AUTH "
                    "(docs/inbound.md); false: MAIL needs AUTH",
                    {to<L, &L::inbound>()}),
        },
        [](Config& c) -> std::vector<Listener>& { return c.smtp.listeners; },
        listener_rule});
    t.push_back(
        Section{"tls",
                {
                    text<C>("cert", "PEM certificate file, reloaded on SIGHUP; required for implicit TLS",
                            {to<C, &C::tls, &TlsFiles::cert>()}),
                    text<C>("key", "PEM private key file, reloaded on SIGHUP; required for implicit TLS",
                            {to<C, &C::tls, &TlsFiles::key>()}),
                    flag<C>("self_signed", "make a self-signed pair at those paths if missing (dev)",
                            {to<C, &C::tls, &TlsFiles::self_signed>()}),
                }});
    using H = api::HttpOptions;
    t.push_back(Section{
        "http",
        {
            text<C>("address", "bind address of the public listener (the OpenAPI, the reply-to page)",
                    {to<C, &C::http, &H::address>()}),
            integer<C>("port", 0, kMaxU16, "plain HTTP port of the public listener; 0 = off",
                       {to<C, &C::http, &H::port>()}),
            integer<C>("https_port", 0, kMaxU16, "HTTPS port of the public listener; 0 = off",
                       {to<C, &C::http, &H::https_port>()}),
            text<C>("cert", "PEM certificate of the HTTPS port, reloaded on SIGHUP; empty: `[tls] cert`",
                    {to<C, &C::http, &H::cert>()}),
            text<C>("key", "PEM private key of the HTTPS port, reloaded on SIGHUP; empty: `[tls] key`",
                    {to<C, &C::http, &H::key>()}),
            checked(text<C>("public_url",
                            "base of links mailed to users (reply-to confirmation, unsubscribe, tracking "
                            "with link_host = public); empty: https://{address}:{https_port}, else "
                            "http://{address}:{port}",
                            {to<C, &C::openapi, &O::public_url>()}),
                    "`http://` or `https://`", http_url_rule),
            duration("max_clock_skew", 1000,
                     "OpenAPI request timestamps older or newer than this are refused",
                     {to<C, &C::openapi, &O::max_clock_skew>()}),
            list<C>("public_names",
                    "host names an OpenAPI signature may name in its Host (the port is not compared); "
                    "another gets `400 InvalidHost`; empty: [server] hostname, the public_url host, "
                    "localhost, 127.0.0.1 and ::1",
                    {to<C, &C::openapi, &O::public_names>()}),
            integer<C>("max_nonces_per_key", 100, 100'000'000,
                       "signature nonces one access key may hold in the replay window (2 x max_clock_skew); "
                       "over it the key's requests get `Throttling.User` until old ones expire",
                       {to<C, &C::openapi, &O::max_nonces_per_key>()}),
            integer<C>("max_blocking_per_account", 1, 8,
                       "DNS checks and batch sends one account may run at once (the API pool has 8 "
                       "threads); more get `Throttling.User` at once",
                       {to<C, &C::openapi, &O::max_blocking_per_account>()}),
            integer<C>("max_connections", 1, 100'000,
                       "HTTP connections at once on the public listeners (the admin listener has its own "
                       "`[admin] max_connections`); more get `503` and are closed",
                       {to<C, &C::http, &H::max_connections>()}),
            integer<C>("max_connections_per_ip", 1, 100'000,
                       "HTTP connections at once from one client IP; more get `503` and are closed",
                       {to<C, &C::http, &H::max_connections_per_ip>()}),
            duration("header_timeout", 100,
                     "a request's header must arrive within this; else the connection is closed",
                     {to<C, &C::http, &H::header_timeout>()}),
            duration("idle_timeout", 100, "a kept-alive connection waits this long for the next request",
                     {to<C, &C::http, &H::idle_timeout>()}),
            size("min_body_rate", 1, 0,
                 "bytes per second a request body must arrive at over every 3 s window, after 3 s for "
                 "its first byte (a smaller body: all of it within 3 s of its first byte); else the "
                 "connection is closed",
                 {to<C, &C::http, &H::min_body_rate>()}),
        }});
    using A = api::AdminOptions;
    t.push_back(Section{
        "admin",
        {
            text<C>("address", "bind address of the operator listener (the admin API, /metrics)",
                    {to<C, &C::admin, &A::address>()}),
            integer<C>("port", 0, kMaxU16, "port of the operator listener; 0 = any free port (tests)",
                       {to<C, &C::admin, &A::port>()}),
            checked(text<C>("socket",
                            "a unix socket path (mode 0600) for the operator listener instead of TCP",
                            {to<C, &C::admin, &A::socket>()}),
                    "at most 107 bytes", socket_path_rule),
            text<C>("token_file",
                    "the admin bearer token; created at first start (32 random bytes, hex, mode 0600); "
                    "empty: `{data_dir}/admin.token`",
                    {to<C, &C::admin, &A::token_file>()}),
            text<C>("token",
                    "a bearer token written here, accepted besides the token file (at least 32 "
                    "characters, not a shipped placeholder)",
                    {to<C, &C::admin, &A::token>()}),
            flag<C>("metrics_public", "serve /metrics without the token",
                    {to<C, &C::admin, &A::metrics_public>()}),
            integer<C>("max_connections", 1, 100'000,
                       "connections at once on the operator listener, apart from the public ones; "
                       "more get `503` and are closed",
                       {to<C, &C::admin, &A::max_connections>()}),
        }});
    t.push_back(Section{
        "smtp",
        {
            choice<C>("reply_style", words_of(kReplyStyles), "see docs/smtp.md",
                      {to_enum<kReplyStyles, C, &C::smtp, &SmtpOptions::session, &SessionLimits::style>()}),
            size("max_line_length", 512, 0, "command line, CRLF included (RFC 5321 §4.5.3.1.4)",
                 {to<C, &C::smtp, &SmtpOptions::session, &SessionLimits::max_line_length>()}),
            duration("idle_timeout", 100, "between commands",
                     {to<C, &C::smtp, &SmtpOptions::idle_timeout>()}),
            duration("data_timeout", 100, "while reading DATA",
                     {to<C, &C::smtp, &SmtpOptions::data_timeout>()}),
            duration("session_timeout", 100, "whole connection",
                     {to<C, &C::smtp, &SmtpOptions::session_timeout>()}),
            integer<C>("max_errors", 1, 1000, "4xx/5xx replies before 421 and close",
                       {to<C, &C::smtp, &SmtpOptions::session, &SessionLimits::max_errors>()}),
            integer<C>("max_auth_failures", 1, 1000, "failed AUTHs per connection before 421 and close",
                       {to<C, &C::smtp, &SmtpOptions::session, &SessionLimits::max_auth_failures>()}),
            integer<C>("max_connections", 1, 1'000'000, "sessions in total",
                       {to<C, &C::smtp, &SmtpOptions::max_connections>()}),
            integer<C>("max_connections_per_ip", 1, 1'000'000, "sessions per client IP",
                       {to<C, &C::smtp, &SmtpOptions::max_connections_per_ip>()}),
            integer<C>("auth_failures_per_ip", 1, 1'000'000,
                       "failed AUTHs per client IP within the window before 454",
                       {to<C, &C::smtp, &SmtpOptions::auth_failures_per_ip>()}),
            duration("auth_failure_window", 1000, "the window of `auth_failures_per_ip`",
                     {to<C, &C::smtp, &SmtpOptions::auth_failure_window>()}),
            duration("auth_failure_delay", 0, "a failed AUTH is answered after a random ¼–1× of this",
                     {to<C, &C::smtp, &SmtpOptions::auth_failure_delay>()}),
            integer<C>("auth_concurrent_per_ip", 1, 10'000,
                       "password checks in flight per client IP; more get 454 without a check",
                       {to<C, &C::smtp, &SmtpOptions::auth_concurrent_per_ip>()}),
            integer<C>("auth_failures_per_address", 1, 1'000'000,
                       "failed AUTHs of one address (any IP) in the window, then it pauses 1 s, 2 s … 60 s "
                       "between checks (454)",
                       {to<C, &C::smtp, &SmtpOptions::auth_failures_per_address>()}),
            duration("auth_address_window", 1000, "the window of `auth_failures_per_address`",
                     {to<C, &C::smtp, &SmtpOptions::auth_address_window>()}),
            choice<C>("from_header_policy", words_of(kFromHeaderPolicies),
                      "`account-domains`: header From:/Sender: must be the AUTH address or on one of the "
                      "account's domains (else 550 after DATA); `any`: not checked",
                      {to_enum<kFromHeaderPolicies, C, &C::smtp, &SmtpOptions::session,
                               &SessionLimits::from_header_policy>()}),
        }});
    t.push_back(Section{
        "limits",
        {
            size("max_message_bytes", 1024, 0, "message size limit, SMTP and OpenAPI (the hosted service's)",
                 {to<C, &C::smtp, &SmtpOptions::session, &SessionLimits::max_message_bytes>(),
                  to<C, &C::openapi, &O::max_message_bytes>()}),
            integer<C>("max_recipients", 1, 10'000, "RCPTs per message",
                       {to<C, &C::smtp, &SmtpOptions::session, &SessionLimits::max_recipients>()}),
        }});
    using P = spool::SpoolOptions;
    t.push_back(
        Section{"spool",
                {
                    size("min_free_bytes", 0, 0,
                         "below this free space, MAIL gets 452; the reserve kept for the databases on a "
                         "full disk (`spool/reserve`, docs/queue-format.md) is half this, at most 32 MiB",
                         {to<C, &C::spool, &P::min_free_bytes>()}),
                    size("max_inflight_bytes", 1024 * 1024, 0,
                         "message bytes held in memory at once, all SMTP sessions, API requests and delivery "
                         "attempts of large messages; an SMTP message past 256 KiB is written on to the "
                         "spool's file as it arrives; new DATA, and an API send, are refused (452 / "
                         "Throttling) while this is spent (docs/queue-format.md)",
                         {to<C, &C::spool, &P::max_inflight_bytes>()}),
                    integer<C>("writers", 1, 64, "spool writer threads (each group-commits a batch)",
                               {to<C, &C::spool, &P::writers>()}),
                    choice<C>("fault_injection", {"", "write", "fsync", "rename"},
                              "**tests only**: fail every commit at that step",
                              {to<C, &C::spool, &P::fault_injection>()}),
                }});
    using common::PasswordCost;
    t.push_back(Section{
        "auth",
        {
            integer<C>("argon2_memory_kib", 8, 4 * 1024 * 1024, "Argon2id memory of new password hashes, KiB",
                       {to<C, &C::store, &S::password_cost, &PasswordCost::memory_kib>()}),
            integer<C>("argon2_iterations", 1, 100, "Argon2id passes of new password hashes",
                       {to<C, &C::store, &S::password_cost, &PasswordCost::iterations>()}),
        }});
    t.push_back(
        Section{"accounts",
                {
                    integer<C>("default_daily_quota", 0, 1'000'000'000,
                               "daily quota of new accounts (each account's can be changed)",
                               {to<C, &C::store, &S::daily_quota>()}),
                    integer<C>("default_monthly_quota", 0, 30'000'000'000, "monthly quota of new accounts",
                               {to<C, &C::store, &S::monthly_quota>()}),
                    integer<C>("max_domains", 1, 10'000, "sender domains per account",
                               {to<C, &C::store, &S::max_domains>()}),
                    integer<C>("max_addresses", 1, 100'000, "sender addresses per account",
                               {to<C, &C::store, &S::max_addresses>()}),
                    integer<C>("max_address_deletions_per_month", 0, 100'000,
                               "sender address deletions per account per calendar month",
                               {to<C, &C::store, &S::max_address_deletions_per_month>()}),
                    integer<C>("max_ip_entries", 1, 1000, "IP protection entries per account",
                               {to<C, &C::store, &S::max_ip_entries>()}),
                    integer<C>("max_suppressions", 1, 10'000'000,
                               "manual suppression list entries per account (docs/suppression.md)",
                               {to<C, &C::store, &S::max_suppressions>()}),
                    integer<C>("max_tags", 1, 10'000, "tags per account", {to<C, &C::store, &S::max_tags>()}),
                    integer<C>("max_receiver_lists", 1, 10'000, "recipient lists per account",
                               {to<C, &C::store, &S::max_receiver_lists>()}),
                    integer<C>("max_receivers_per_list", 1, 10'000'000, "members of one recipient list",
                               {to<C, &C::store, &S::max_receivers_per_list>()}),
                    integer<C>("max_templates", 1, 100'000, "templates per account",
                               {to<C, &C::store, &S::max_templates>()}),
                    integer<C>("max_template_subject", 1, 998, "characters of a template's subject",
                               {to<C, &C::store, &S::max_template_subject_chars>()}),
                    size("max_template_body", 1, 16 * 1024 * 1024, "bytes of a template's body",
                         {to<C, &C::store, &S::max_template_body_bytes>()}),
                    integer<C>("max_access_keys", 1, 1000, "OpenAPI access keys per account",
                               {to<C, &C::store, &S::max_access_keys>()}),
                    integer<C>("submission_rate", 0, 10'000'000,
                               "submissions (SMTP transactions, API sends) per account per "
                               "submission_window; 0: no limit (docs/accounts.md)",
                               {to<C, &C::store, &S::traffic, &T::submission_rate>()}),
                    duration("submission_window", 1000, "window of submission_rate (whole seconds)",
                             {to<C, &C::store, &S::traffic, &T::submission_window>()}),
                    integer<C>("fatigue_limit", 0, 1'000'000,
                               "messages from one sender address to one recipient per "
                               "fatigue_window; 0: no limit",
                               {to<C, &C::store, &S::traffic, &T::fatigue_limit>()}),
                    duration("fatigue_window", 1000, "window of fatigue_limit (whole seconds)",
                             {to<C, &C::store, &S::traffic, &T::fatigue_window>()}),
                }});
    t.push_back(Section{
        "dns",
        {checked(list<C>("servers", "resolvers for delivery and record checks; empty: /etc/resolv.conf",
                         {to<C, &C::delivery, &D::dns_servers>()}),
                 "\"address:port\"", nullptr)}});
    t.push_back(Section{
        "delivery",
        {
            integer<C>("remote_port", 1, kMaxU16, "port of MX hosts (tests use a loopback port)",
                       {to<C, &C::delivery, &D::remote_port>()}),
            duration("retry_initial", 100, "first retry of a deferred recipient (docs/delivery.md)",
                     {to<C, &C::delivery, &D::retry_initial>()}),
            duration("retry_max", 100, "retry delays double up to this",
                     {to<C, &C::delivery, &D::retry_max>()}),
            duration("max_lifetime", 1000, "a recipient not delivered this long after receipt fails for good",
                     {to<C, &C::delivery, &D::max_lifetime>()}),
            integer<C>("max_deliveries", 1, 100'000, "attempts in flight in total",
                       {to<C, &C::delivery, &D::max_deliveries>()}),
            integer<C>("max_per_destination", 1, 10'000,
                       "attempts in flight per MX domain / smarthost / capture dir",
                       {to<C, &C::delivery, &D::max_per_destination>()}),
            integer<C>("max_rate_per_destination", 0, 100'000,
                       "attempts started per second per destination; 0 = no limit",
                       {to<C, &C::delivery, &D::max_rate_per_destination>()}),
            duration("connect_timeout", 100, "outbound connect",
                     {to<C, &C::delivery, &D::connect_timeout>()}),
            duration("command_timeout", 100,
                     "cap on the RFC 5321 §4.5.3.2 reply timeouts (5 min, DATA 2 min, final dot 10 min, data "
                     "block 3 min)",
                     {to<C, &C::delivery, &D::command_timeout>()}),
            integer<C>("invalid_address_threshold", 1, 1000,
                       "hard bounces (a 5xx reply classified SmtpNxBox; never an expiry or a policy refusal) "
                       "before the invalid-address library",
                       {to<C, &C::delivery, &D::invalid_address_threshold>()}),
            integer<C>("event_utc_offset_minutes", -720, 840,
                       "time zone of event strings, reports and quota days (the hosted service: +08:00)",
                       {to<C, &C::delivery, &D::event_utc_offset_minutes>(),
                        to<C, &C::store, &S::utc_offset_minutes>(),
                        to<C, &C::openapi, &O::utc_offset_minutes>()}),
            duration("log_retention", 60'000,
                     "a finished message's recipients, attempts and events are forgotten this long after its "
                     "last attempt (checked hourly)",
                     {to<C, &C::delivery, &D::log_retention>()}),
            flag<C>(
                "allow_private_mx",
                "MX hosts may resolve to loopback, private, link-local, CGNAT or multicast addresses (labs "
                "and tests; `[[route]]` smarthosts are always allowed)",
                {to<C, &C::delivery, &D::allow_private_mx>()}),
            checked(
                list<C>("require_tls_domains",
                        "recipient domains whose mail is only sent over TLS with a verified certificate "
                        "(chain and MX host name): no plain-text retry after a failed STARTTLS handshake, "
                        "no plain delivery to a host that does not offer STARTTLS (exact names, "
                        "case-insensitive)",
                        {to<C, &C::delivery, &D::require_tls_domains>()}),
                "exact domain names", exact_domains_rule),
            text<C>("tls_ca_file",
                    "CAs trusted for require_tls_domains besides the system's (a private CA); must be "
                    "readable",
                    {to<C, &C::delivery, &D::tls_ca_file>()}),
            integer<C>("retry_share_percent", 1, 100,
                       "retries hold at most this share of max_deliveries; first attempts go first "
                       "(docs/delivery.md, lanes)",
                       {to<C, &C::delivery, &D::retry_share_percent>()}),
            duration("slowdown_pause", 0,
                     "a destination answering with a rate-limit reply pauses this long, doubling with each "
                     "further one; 0 = 4 × retry_initial (the slower retry's first delay)",
                     {to<C, &C::delivery, &D::slowdown_pause>()}),
            duration("slowdown_max_pause", 100, "cap of the slow-down pause",
                     {to<C, &C::delivery, &D::slowdown_max_pause>()}),
            duration("slowdown_recovery", 100,
                     "a slowed destination steps back one level after this long without a rate-limit reply "
                     "and with a delivery",
                     {to<C, &C::delivery, &D::slowdown_recovery>()}),
            decimal<C>("slowdown_rate", 1, 1'000'000,
                       "attempt starts per second halved at each slow-down level, for a destination whose "
                       "rule sets no max_per_second",
                       {to<C, &C::delivery, &D::slowdown_rate_milli>()}),
            flag<C>("warmup",
                    "daily caps on the first attempts of each new sending domain (docs/delivery.md)",
                    {to<C, &C::delivery, &D::warmup>()}),
            integer<C>("warmup_start", 1, 100'000'000, "recipients on the day the domain was added",
                       {to<C, &C::delivery, &D::warmup_start>()}),
            integer<C>("warmup_growth_percent", 0, 1000,
                       "each later day's cap: the previous one + this percent",
                       {to<C, &C::delivery, &D::warmup_growth_percent>()}),
            integer<C>("warmup_days", 1, 3650, "from this day after the domain was added on: no cap",
                       {to<C, &C::delivery, &D::warmup_days>()}),
        }});
    t.push_back(Section{
        "notify",
        {
            duration("visibility_timeout", 1000,
                     "a pull-queue message received is hidden this long; not deleted by then, it can be "
                     "received again (docs/notifications.md)",
                     {to<C, &C::notify, &N::visibility_timeout>()}),
            duration("queue_retention", 60'000,
                     "pull-queue messages not deleted are dropped this long after they were queued",
                     {to<C, &C::notify, &N::queue_retention>()}),
            duration("push_timeout", 100, "one POST to an HTTP target, connect to answer",
                     {to<C, &C::notify, &N::push_timeout>()}),
            duration("push_retry_initial", 100, "first retry of a failed POST",
                     {to<C, &C::notify, &N::retry_initial>()}),
            duration("push_retry_max", 100, "retry delays of a POST double up to this",
                     {to<C, &C::notify, &N::retry_max>()}),
            duration("push_max_lifetime", 60'000, "an event not pushed by then is dropped (logged)",
                     {to<C, &C::notify, &N::push_max_lifetime>()}),
            text<C>("ca_file",
                    "CAs trusted for https targets besides the system's (a private CA); must be readable",
                    {to<C, &C::notify, &N::ca_file>()}),
            flag<C>("allow_private_targets",
                    "webhook targets may be loopback, private, link-local, CGNAT or multicast addresses "
                    "(labs and "
                    "tests; docs/security.md)",
                    {to<C, &C::notify, &N::allow_private_targets>(),
                     to<C, &C::store, &S::allow_private_notify_targets>()}),
        }});
    using K = delivery::TrackingOptions;
    t.push_back(Section{
        "tracking",
        {
            flag<C>(
                "require_cname",
                "open and click tracking only for senders whose domain's tracking record "
                "(`dmtrace.{domain}` CNAME) passed `domain verify`; a request for it otherwise is refused "
                "(false in dev and tests)",
                {to<C, &C::tracking, &K::require_cname>(), to<C, &C::store, &S::tracking_requires_cname>()}),
            choice<C>(
                "link_host", words_of(kLinkHosts),
                "where the pixel and the links point: `cname` = http://dmtrace.{domain} of the sender's "
                "domain; `public` = the server's public URL (`[http] public_url` or its default)",
                {to_enum<kLinkHosts, C, &C::tracking, &K::link_host>()}),
            duration(
                "scanner_window", 0,
                "links clicked this soon after delivery count as a security scanner's (docs/tracking.md)",
                {to<C, &C::tracking, &K::scanner_window>()}),
            duration("burst_window", 0,
                     "hits of one recipient this close together are one burst (a machine's)",
                     {to<C, &C::tracking, &K::burst_window>()}),
            checked(list<C>("prefetch_networks",
                            "client networks whose opens are prefetches, not a reader (Apple Mail Privacy "
                            "Protection's proxies)",
                            {to<C, &C::tracking, &K::prefetch_networks>()}),
                    "CIDR networks", cidr_list_rule),
            duration("link_retention", 86'400'000,
                     "a delivered message's tracking links (and so its pixel and redirects) work this long",
                     {to<C, &C::tracking, &K::link_retention>()}),
            duration("flush_interval", 10, "tracking hits are written in batches at least this often",
                     {to<C, &C::tracking, &K::flush_interval>()}),
            integer<C>("max_pending", 1, 100'000'000,
                       "tracking hits held for the next batch; beyond it hits are answered but not recorded",
                       {to<C, &C::tracking, &K::max_pending>()}),
            duration(
                "key_retention", 86'400'000,
                "a rotated-out tracking key still verifies this long after its rotation",
                {to<C, &C::tracking, &K::key_retention>(), to<C, &C::store, &S::tracking_key_retention>()}),
        }});
    using W = api::ConsoleOptions;
    t.push_back(Section{
        "console",
        {
            flag<C>("enabled",
                    "the web console at /console/ on the HTTP listeners (operator mode on the admin one)",
                    {to<C, &C::console, &W::enabled>()}),
            text<C>("assets",
                    "the directory of the built console; empty: share/mailpush/console beside the binary's "
                    "directory (the build tree's and the installed one)",
                    {to<C, &C::console, &W::assets>()}),
            duration("session_idle", 60'000, "a console session ends after this long without a request",
                     {to<C, &C::console, &W::session_idle>()}),
            duration("session_lifetime", 60'000, "and this long after its sign-in, however busy",
                     {to<C, &C::console, &W::session_lifetime>()}),
            integer<C>(
                "sign_in_failures", 1, 1000,
                "failed console sign-ins per client IP, and per account, within sign_in_window; then 429",
                {to<C, &C::console, &W::sign_in_failures>()}),
            duration("sign_in_window", 1000, "the window of sign_in_failures",
                     {to<C, &C::console, &W::sign_in_window>()}),
        }});
    using R = Route;
    t.push_back(ArraySection<Route>{
        "route",
        "where a recipient domain's mail goes; without any, every domain goes to `mx`",
        {
            text<R>("domain", "`*` or a recipient domain (required)", {to<R, &R::domain>()}),
            checked(text<R>("to", "`mx`, `smtp://host:port`, `capture:DIR` or `hold`", {to<R, &R::to>()}),
                    "mx, smtp://host:port, capture:DIR, hold", route_target_rule),
        },
        [](Config& c) -> std::vector<Route>& { return c.delivery.routes; },
        route_rule});
    using DR = Destination;
    t.push_back(ArraySection<Destination>{
        "destination",
        "limits shared by the recipients of every domain matched; replaces a shipped rule of the same name "
        "(docs/delivery.md)",
        {
            text<DR>("name",
                     "the rule's name (required; gmail, outlook, yahoo, qq, netease, sina, sohu are "
                     "shipped)",
                     {to<DR, &DR::name>()}),
            checked(list<DR>("match",
                             "`domain`, `*.domain` (any name below it) or `mx:` and either (the MX host)",
                             {to<DR, &DR::match>()}),
                    "patterns", destination_patterns_rule),
            integer<DR>("max_connections", 0, 10'000,
                        "attempts in flight; 0 = [delivery] max_per_destination",
                        {to<DR, &DR::max_connections>()}),
            integer<DR>("max_messages_per_connection", 0, 100'000,
                        "then the connection is closed and a new one opened; 0 = 100",
                        {to<DR, &DR::max_messages_per_connection>()}),
            decimal<DR>(
                "max_per_second", 0, 100'000'000,
                "attempt starts per second (0.5 = one every 2 s); 0 = [delivery] max_rate_per_destination",
                {to<DR, &DR::max_per_second_milli>()}),
        },
        [](Config& c) -> std::vector<Destination>& { return c.delivery.destinations; },
        destination_rule});
    return t;
}

} // namespace

const std::vector<TableEntry>& key_table() {
    static const std::vector<TableEntry> table = build_table();
    return table;
}

} // namespace mailpush::config
