// Text lines are "TIME LEVEL event key=value ..."; JSON lines are one object per event with the
// event line as an escaped string, so any value (quotes, backslashes, control bytes) stays valid JSON.
#include "logging.hpp"

#include "mailpush/common/hex.hpp"
#include "mailpush/common/security_log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace mailpush::app {
namespace {
class JsonEscapedMessage final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        for (char ch : std::string_view(msg.payload.data(), msg.payload.size())) {
            const auto c = static_cast<unsigned char>(ch);
            if (c == '"' || c == '\\') {
                dest.push_back('\\');
                dest.push_back(ch);
            } else if (c < 0x20) {
                std::string esc = "\\u00";
                common::append_hex(esc, c);
                dest.append(esc.data(), esc.data() + esc.size());
            } else {
                dest.push_back(ch);
            }
        }
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<JsonEscapedMessage>();
    }
};
} // namespace

void setup_logging(const config::Config& cfg) {
    auto logger = spdlog::stderr_logger_mt("mailpushd");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(cfg.server.log_level));
    if (cfg.server.log_format == "json") {
        auto formatter = std::make_unique<spdlog::pattern_formatter>();
        formatter->add_flag<JsonEscapedMessage>('*').set_pattern(
            R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","event":"%*"})");
        spdlog::set_formatter(std::move(formatter));
    } else {
        spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %l %v");
    }
    spdlog::flush_on(spdlog::level::info);
    // One greppable stream: every security event is a "security event=KIND" warning line.
    common::set_security_sink([](const common::SecurityEvent& e) {
        spdlog::warn("security event={} ip={} account={} detail=\"{}\"", e.kind, e.ip.empty() ? "-" : e.ip,
                     e.account.empty() ? "-" : e.account, e.detail);
    });
}

} // namespace mailpush::app
