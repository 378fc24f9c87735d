#include "mailpush/api/body_pace.hpp"

#include <algorithm>

namespace mailpush::api {
namespace {

// Arrivals closer than this share one entry (dated by the first): at most window / tick entries,
// however small the reads; a body is judged at most one tick early.
constexpr std::chrono::milliseconds kTick{100};

std::uint64_t window_need(const BodyPace::Limits& limits, std::optional<std::uint64_t> declared) {
    const std::uint64_t rate = std::max<std::uint64_t>(limits.min_rate, 1);
    const auto ms = static_cast<std::uint64_t>(limits.window.count());
    const std::uint64_t per_window =
        rate > UINT64_MAX / std::max<std::uint64_t>(ms, 1) ? UINT64_MAX : rate * ms / 1000;
    return std::max<std::uint64_t>(1, declared ? std::min(per_window, *declared) : per_window);
}

} // namespace

BodyPace::BodyPace(const Limits& limits, std::optional<std::uint64_t> declared, Clock::time_point start)
    : limits_(limits)
    , need_(window_need(limits, declared))
    , start_(start) {}

void BodyPace::on_bytes(std::uint64_t bytes, Clock::time_point now) {
    if (bytes == 0) return;
    if (!first_) first_ = now;
    if (!arrivals_.empty() && now - arrivals_.back().at < kTick)
        arrivals_.back().bytes += bytes;
    else
        arrivals_.push_back({now, bytes});
    in_window_ += bytes;
    // Forget what has left the window, unless leaving made the body too slow: deadline() then
    // still sees it and answers a time in the past.
    while (arrivals_.size() > 1 && arrivals_.front().at + limits_.window < now &&
           in_window_ - arrivals_.front().bytes >= need_) {
        in_window_ -= arrivals_.front().bytes;
        arrivals_.pop_front();
    }
}

BodyPace::Clock::time_point BodyPace::deadline() const {
    if (!first_) return start_ + limits_.first_byte;
    // With nothing new, the window only loses bytes: the body is too slow once the arrivals
    // still in it hold fewer than need_. Every arrival is at or after the first byte, so no
    // window is judged before a whole one has passed since.
    std::uint64_t left = in_window_;
    for (const auto& a : arrivals_) {
        left -= a.bytes;
        if (left < need_) return a.at + limits_.window;
    }
    return arrivals_.back().at + limits_.window; // not reached: left ends at 0 < need_
}

} // namespace mailpush::api
