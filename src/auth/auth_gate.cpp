#include "mailpush/auth/auth_gate.hpp"

#include <algorithm>
#include <functional>

namespace mailpush::auth {

const char* to_string(Admission a) noexcept {
    switch (a) {
    case Admission::check:
        return "check";
    case Admission::ip_throttled:
        return "ip_throttled";
    case Admission::ip_busy:
        return "ip_busy";
    case Admission::address_paused:
        return "address_paused";
    }
    return "unknown";
}

AuthGate::AuthGate(AuthGateOptions options)
    : options_(options) {}

void AuthGate::expire(Window& w, std::chrono::milliseconds window, Clock::time_point now) {
    while (!w.failures.empty() && now - w.failures.front().at >= window)
        w.failures.pop_front();
}

void AuthGate::sweep(Clock::time_point now) {
    const auto drop_idle = [now](Map& map, std::chrono::milliseconds window) {
        for (auto it = map.begin(); it != map.end();) {
            expire(it->second, window, now);
            const bool idle =
                it->second.failures.empty() && it->second.in_flight == 0 && it->second.paused_until <= now;
            it = idle ? map.erase(it) : std::next(it);
        }
    };
    drop_idle(ips_, options_.ip_window);
    drop_idle(addresses_, options_.address_window);
    last_sweep_ = now;
}

AuthGate::Window* AuthGate::entry(Map& map, const std::string& key, Clock::time_point now) {
    if (const auto it = map.find(key); it != map.end()) return &it->second;
    if (map.size() >= options_.max_tracked) sweep(now);
    if (map.size() >= options_.max_tracked) return nullptr; // full: checked, but not followed
    return &map[key];
}

Admission AuthGate::admit(const std::string& ip, const std::string& address, Clock::time_point now) {
    if (now - last_sweep_ >= std::min(options_.ip_window, options_.address_window)) sweep(now);
    Window* by_ip = entry(ips_, ip, now);
    if (by_ip) {
        expire(*by_ip, options_.ip_window, now);
        if (by_ip->failures.size() + by_ip->in_flight >= options_.failures_per_ip)
            return Admission::ip_throttled;
        if (by_ip->in_flight >= options_.concurrent_per_ip) return Admission::ip_busy;
    }
    Window* by_address = entry(addresses_, address, now);
    if (by_address) {
        expire(*by_address, options_.address_window, now);
        const bool over =
            by_address->failures.size() + by_address->in_flight >= options_.failures_per_address;
        if (over && (by_address->in_flight > 0 || now < by_address->paused_until))
            return Admission::address_paused;
        ++by_address->in_flight;
    }
    if (by_ip) ++by_ip->in_flight;
    return Admission::check;
}

Admission AuthGate::admit_waiter(const std::string& ip, const std::string& address, Clock::time_point now) {
    if (Window* by_ip = entry(ips_, ip, now)) {
        expire(*by_ip, options_.ip_window, now);
        if (by_ip->failures.size() >= options_.failures_per_ip) return Admission::ip_throttled;
    }
    if (Window* by_address = entry(addresses_, address, now)) {
        expire(*by_address, options_.address_window, now);
        if (by_address->failures.size() >= options_.failures_per_address && now < by_address->paused_until)
            return Admission::address_paused;
    }
    return Admission::check;
}

void AuthGate::finish(const std::string& ip, const std::string& address, bool success,
                      Clock::time_point now) {
    if (Window* by_ip = entry(ips_, ip, now)) {
        if (by_ip->in_flight > 0) --by_ip->in_flight;
        if (!success) {
            by_ip->failures.push_back({now});
            while (by_ip->failures.size() > options_.failures_per_ip)
                by_ip->failures.pop_front();
        }
    }
    Window* by_address = entry(addresses_, address, now);
    if (!by_address) return;
    if (by_address->in_flight > 0) --by_address->in_flight;
    const std::size_t ip_hash = std::hash<std::string>{}(ip);
    if (success) {
        // The owner proved the password from this IP: its failures there were the owner's typos.
        // Guesses from other IPs stay, or a guesser would get a fresh budget after every login.
        std::erase_if(by_address->failures, [ip_hash](const Failure& f) { return f.ip == ip_hash; });
        if (by_address->failures.size() < options_.failures_per_address) by_address->paused_until = {};
        return;
    }
    by_address->failures.push_back({now, ip_hash});
    // Keep enough failures to size the pause (doubling from 1 s up to the cap), no more.
    const std::size_t keep = options_.failures_per_address + 32;
    while (by_address->failures.size() > keep)
        by_address->failures.pop_front();
    set_pause(*by_address, now);
}

void AuthGate::set_pause(Window& by_address, Clock::time_point now) const {
    if (by_address.failures.size() < options_.failures_per_address) return;
    const auto excess = std::min<std::size_t>(by_address.failures.size() - options_.failures_per_address, 30);
    const auto pause = std::min<std::chrono::milliseconds>(std::chrono::milliseconds(1000LL << excess),
                                                           options_.address_max_pause);
    by_address.paused_until = now + pause;
}

bool AuthGate::count_shared_failure(const std::string& ip, Clock::time_point now) {
    Window* by_ip = entry(ips_, ip, now);
    if (!by_ip) return true; // untracked (the table is full): as admit() does, not refused
    expire(*by_ip, options_.ip_window, now);
    if (by_ip->failures.size() + by_ip->in_flight >= options_.failures_per_ip) return false;
    by_ip->failures.push_back({now});
    return true;
}

} // namespace mailpush::auth
