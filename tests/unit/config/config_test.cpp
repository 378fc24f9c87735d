#include "mailpush/config/config.hpp"

#include <gtest/gtest.h>

namespace mailpush::config {
namespace {
const std::string kMinimal = R"(
[[listener]]
name = "smtp"
port = 2525
[http]
)";

std::string error_of(const std::string& text) {
    try {
        parse_config(text, "test.toml");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}
} // namespace

TEST(Config, MinimalUsesDefaults) {
    const auto c = parse_config(kMinimal, "test.toml");
    ASSERT_EQ(c.smtp.listeners.size(), 1u);
    EXPECT_EQ(c.smtp.listeners[0].tls, TlsMode::starttls);
    EXPECT_EQ(c.smtp.session.max_recipients, 30u);
    EXPECT_EQ(c.smtp.session.max_message_bytes, 15u * 1024 * 1024);
    EXPECT_EQ(c.smtp.session.style, smtp::ReplyStyle::directmail);
    EXPECT_EQ(c.delivery.retry_initial, std::chrono::minutes(1));
    EXPECT_EQ(c.delivery.max_lifetime, std::chrono::hours(72));
    EXPECT_TRUE(c.smtp.require_verified_domain); // production default: verified domains only
    EXPECT_EQ(c.openapi.max_clock_skew, std::chrono::minutes(15));
}

TEST(Config, ParsesUnitsAndSections) {
    const auto c = parse_config(kMinimal + R"(
[smtp]
reply_style = "rfc"
idle_timeout = "90s"
[limits]
max_message_bytes = "2M"
[dns]
servers = ["127.0.0.1:5353"]
[delivery]
retry_max = "2h"
[[route]]
domain = "*"
to = "smtp://127.0.0.1:2526"
)",
                                "t");
    EXPECT_EQ(c.smtp.session.style, smtp::ReplyStyle::rfc);
    EXPECT_EQ(c.smtp.idle_timeout, std::chrono::seconds(90));
    EXPECT_EQ(c.smtp.session.max_message_bytes, 2u * 1024 * 1024);
    EXPECT_EQ(c.delivery.dns_servers.at(0), "127.0.0.1:5353");
    EXPECT_EQ(c.delivery.retry_max, std::chrono::hours(2));
    EXPECT_EQ(c.delivery.routes.at(0).to, "smtp://127.0.0.1:2526");
}

TEST(Config, EveryProblemIsOneLineNamingTheKey) {
    EXPECT_EQ(error_of(kMinimal + "[smtp]\nreply_stile = \"rfc\"\n"),
              "test.toml: key 'smtp.reply_stile': unknown key");
    EXPECT_EQ(error_of(kMinimal + "[smtp]\nreply_style = \"loud\"\n"),
              "test.toml: key 'smtp.reply_style': must be \"directmail\" or \"rfc\"");
    EXPECT_EQ(error_of(kMinimal + "[limits]\nmax_recipients = 0\n"),
              "test.toml: key 'limits.max_recipients': must be between 1 and 10000");
    EXPECT_EQ(
        error_of(kMinimal + "[smtp]\nidle_timeout = \"soon\"\n"),
        "test.toml: key 'smtp.idle_timeout': must be a duration such as \"30s\", \"5m\", \"1h\" or \"3d\"");
    EXPECT_EQ(error_of(kMinimal + "[limits]\nmax_message_bytes = \"lots\"\n"),
              "test.toml: key 'limits.max_message_bytes': must be a size such as 1048576, \"64k\", \"15M\" "
              "or \"1G\"");
    EXPECT_EQ(error_of(kMinimal + "[[route]]\ndomain = \"*\"\nto = \"ftp://x\"\n"),
              "test.toml: key 'route.to': must be \"mx\", \"smtp://host:port\", \"capture:DIR\" or \"hold\"");
    EXPECT_EQ(error_of(""), "test.toml: key 'listener': at least one [[listener]] is required");
    EXPECT_EQ(
        error_of(kMinimal + "admin_token = \"0123456789abcdef0123456789abcdef\"\n"),
        "test.toml: key 'http.admin_token': moved: write it as [admin] token (or leave it out: the token "
        "file is used)");
    EXPECT_EQ(
        error_of(kMinimal + "[admin]\ntoken = \"0123456789abcdef0123\"\n"),
        "test.toml: key 'admin.token': must be at least 32 characters (or leave it out: the token file is "
        "used)");
    EXPECT_EQ(error_of(kMinimal + "[admin]\ntoken = \"dev-admin-token-change-me\"\n"),
              "test.toml: key 'admin.token': is a placeholder shipped with mailpush; use the token file or a "
              "random value");
    EXPECT_EQ(error_of(kMinimal + "[admin]\nsocket = \"/" + std::string(107, 'a') + "\"\n"),
              "test.toml: key 'admin.socket': must be at most 107 bytes long");
    EXPECT_EQ(error_of(kMinimal + "port = 0\n"),
              "test.toml: key 'http.port': the public listener needs port or https_port");
    EXPECT_EQ(error_of(kMinimal + "https_port = 8443\n"),
              "test.toml: key 'http.https_port': HTTPS needs [http] cert and key or [tls] cert and key");
    EXPECT_EQ(error_of(kMinimal + "cert = \"/etc/mailpush/https.pem\"\n"),
              "test.toml: key 'http.key': is required when http.cert is set");
    EXPECT_EQ(error_of(kMinimal + "key = \"/etc/mailpush/https.key\"\n"),
              "test.toml: key 'http.cert': is required when http.key is set");
    EXPECT_EQ(error_of(kMinimal + "[[listener]]\nname = \"s\"\ntls = \"implicit\"\n"),
              "test.toml: key 'tls.cert': an implicit-TLS listener needs [tls] cert and key");
    EXPECT_EQ(error_of(kMinimal + "[[listener]]\nname = \"smtp\"\n"),
              "test.toml: key 'listener.name': duplicate listener name \"smtp\"");
    EXPECT_EQ(error_of(kMinimal + "[server]\nhostname = 5\n"),
              "test.toml: key 'server.hostname': must be a string");
    EXPECT_EQ(error_of(kMinimal + "[bogus]\nx = 1\n"), "test.toml: key 'bogus': unknown key");
    EXPECT_EQ(error_of(kMinimal + "[spool]\nfault_injection = \"disk\"\n"),
              "test.toml: key 'spool.fault_injection': must be \"\", \"write\", \"fsync\" or \"rename\"");
    EXPECT_EQ(error_of(kMinimal + "[server]\nrequire_verified_domain = \"yes\"\n"),
              "test.toml: key 'server.require_verified_domain': must be true or false");
    EXPECT_EQ(error_of(kMinimal + "[accounts]\nmax_tags = 0\n"),
              "test.toml: key 'accounts.max_tags': must be between 1 and 10000");
    EXPECT_EQ(error_of(kMinimal + "[accounts]\nmax_template_body = \"1G\"\n"),
              "test.toml: key 'accounts.max_template_body': must be at most 16M");
    EXPECT_EQ(error_of(kMinimal + "public_url = \"ftp://x\"\n"),
              "test.toml: key 'http.public_url': must start with http:// or https://");
    EXPECT_EQ(error_of(kMinimal + "[notify]\nvisibility_timeout = \"10ms\"\n"),
              "test.toml: key 'notify.visibility_timeout': must be at least 1000ms");
    EXPECT_EQ(error_of(kMinimal + "[notify]\nca_file = \"/nonexistent/ca.pem\"\n"),
              "test.toml: key 'notify.ca_file': cannot read /nonexistent/ca.pem");
    EXPECT_EQ(error_of(kMinimal + "[notify]\npush_url = \"x\"\n"),
              "test.toml: key 'notify.push_url': unknown key");
    const auto syntax = error_of("[[listener]\n");
    EXPECT_TRUE(syntax.starts_with("test.toml:1:")) << syntax;
    EXPECT_EQ(syntax.find('\n'), std::string::npos);
}

TEST(Config, MissingFileIsAnError) {
    EXPECT_THROW(load_config("/nonexistent/mailpushd.toml"), ConfigError);
}

} // namespace mailpush::config
