// Human and machine hits (docs/tracking.md): what one open or click is, from the facts of the
// request and of the message. Pure. Handles untrusted input (the user agent, the client IP).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace mailpush::tracking {

enum class HitKind { open, click };
enum class HitClass { human, proxy, prefetch, scanner };

std::string_view class_name(HitClass); // "human" "proxy" "prefetch" "scanner"
bool counts_as_machine(HitClass);      // proxy=false(human), prefetch/scanner=true

struct HitFacts {
    HitKind kind = HitKind::open;
    std::string_view user_agent;
    std::string_view client_ip;
    std::int64_t at_ms = 0;
    std::int64_t delivered_ms = 0;
    std::vector<std::pair<std::int64_t, std::uint32_t>> earlier_clicks; // (at_ms, link) of this recipient
    std::size_t links_in_message = 0;
};

} // namespace mailpush::tracking
