#pragma once
// A delivery log in a temp dir with sent messages (report rows) for the tracking tests, and a
// classifier that decides by the user agent alone.
#include "temp_dir.hpp"

#include "mailpush/delivery/delivery_log.hpp"
#include "mailpush/delivery/tracking_recorder.hpp"

#include <memory>
#include <string>

namespace mailpush::test_support {

// 2026-11-24 10:00:00 at +08:00 (02:00 UTC).
inline constexpr std::int64_t kDay1Ms = 1795485600000;
inline constexpr std::int64_t kDayMs = 86'400'000;

// "prefetch" / "scanner" / "proxy" in the agent pick that class; anything else is human.
inline tracking::HitClass class_by_agent(const tracking::HitFacts& f) {
    if (f.user_agent.find("prefetch") != std::string_view::npos) return tracking::HitClass::prefetch;
    if (f.user_agent.find("scanner") != std::string_view::npos) return tracking::HitClass::scanner;
    if (f.user_agent.find("proxy") != std::string_view::npos) return tracking::HitClass::proxy;
    return tracking::HitClass::human;
}

class TrackingLog {
public:
    TempDir temp{"mailpush-tracking"};
    std::string path = (temp.path() / "delivery.db").string();
    delivery::DeliveryLog log{path};

    // A final result for recipient `idx` of `envid`, sent for `account` from `from` with `tag`.
    void sent(std::uint64_t envid, int idx, const std::string& rcpt, std::int64_t ended_ms, int status = 0,
              const std::string& tag = "", const std::string& from = "news@example.com",
              const std::string& account = "acme") {
        delivery::RecipientUpdate u;
        u.record = {
            envid, idx, rcpt,     status == 0 ? delivery::RcptState::delivered : delivery::RcptState::failed,
            1,     0,   "250 ok", status == 0 ? "SendOk" : "SmtpNxBox",
            status};
        u.attempt = {envid, idx, ended_ms - 10, ended_ms, "capture:x", "250 ok"};
        u.event = "env_id=" + std::to_string(envid) + "&status=" + std::to_string(status);
        u.report = {0, account, from, "", tag, "Sale", 0, "", "", 0};
        log.apply({u});
    }

    std::unique_ptr<delivery::TrackingRecorder> recorder(delivery::TrackingRecorderOptions o = {},
                                                         delivery::HitClassifier c = class_by_agent) {
        if (o.region.empty()) o.region = "cn-hangzhou";
        return std::make_unique<delivery::TrackingRecorder>(path, o, std::move(c));
    }
};

inline delivery::Hit open_hit(std::uint64_t envid, std::uint32_t idx, std::int64_t at_ms,
                              std::string agent = "Mozilla/5.0") {
    return {{envid, idx, 0}, tracking::HitKind::open, std::move(agent), "192.0.2.7", at_ms};
}

inline delivery::Hit click_hit(std::uint64_t envid, std::uint32_t idx, std::uint32_t link, std::int64_t at_ms,
                               std::string agent = "Mozilla/5.0") {
    return {{envid, idx, link}, tracking::HitKind::click, std::move(agent), "192.0.2.7", at_ms};
}

} // namespace mailpush::test_support
