// Whether a request body arrives fast enough (slowloris on the body): its first byte within a
// short allowance, then at least `min_rate` bytes per second over every sliding window of a few
// seconds, chunked bodies too. A body smaller than one window's worth must arrive within one
// window of its first byte. Pure: the caller passes the clock and sets its socket deadline to
// deadline() before each read.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>

namespace mailpush::api {

class BodyPace {
public:
    using Clock = std::chrono::steady_clock;
    struct Limits {
        std::uint64_t min_rate = 1; // bytes per second; 0 is read as 1
        std::chrono::milliseconds first_byte{3000};
        std::chrono::milliseconds window{3000};
    };

    // `declared`: the Content-Length, none for a chunked body.
    BodyPace(const Limits& limits, std::optional<std::uint64_t> declared, Clock::time_point start);

    void on_bytes(std::uint64_t bytes, Clock::time_point now);

    // When the body is too slow if nothing more arrives; at or before `now`: too slow now.
    Clock::time_point deadline() const;

private:
    struct Arrival {
        Clock::time_point at;
        std::uint64_t bytes;
    };

    Limits limits_;
    std::uint64_t need_; // bytes every window must hold
    Clock::time_point start_;
    std::optional<Clock::time_point> first_;
    std::deque<Arrival> arrivals_; // the window's, merged per tick so the deque stays short
    std::uint64_t in_window_ = 0;
};

} // namespace mailpush::api
