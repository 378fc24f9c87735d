// Human or machine: which opens and clicks a person made, from the request's user agent and
// address and its timing. One rule table (src/tracking/classify.cpp, the same table in
// docs/tracking.md "Human and machine hits"). Pure; the facts come from untrusted requests.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailpush::tracking {

enum class HitKind { open, click };
enum class HitClass { human, proxy, prefetch, scanner };

std::string_view class_name(HitClass); // "human" "proxy" "prefetch" "scanner"
// proxy: false (an image proxy fetches when a person opens the message); prefetch, scanner: true.
bool counts_as_machine(HitClass);

struct HitFacts {
    HitKind kind = HitKind::open;
    std::string_view user_agent;
    std::string_view client_ip; // textual IPv4/IPv6
    std::int64_t at_ms = 0;
    std::int64_t delivered_ms = 0; // 0 = unknown
    // This recipient's earlier clicks on this message: (at_ms, link).
    std::vector<std::pair<std::int64_t, std::uint32_t>> earlier_clicks;
    std::size_t links_in_message = 0;
};

struct ClassifyOptions {
    std::int64_t scanner_window_ms = 10'000; // a click this soon after delivery is a scanner's
    std::int64_t burst_window_ms = 2'000;    // several distinct links clicked within this = scanner
    std::vector<std::string> prefetch_networks{"17.0.0.0/8"}; // Apple Mail Privacy Protection (CIDR)
};

class Classifier {
public:
    explicit Classifier(ClassifyOptions options); // throws std::invalid_argument naming a bad CIDR
    HitClass classify(const HitFacts& facts) const;

    struct Network {
        bool v6 = false;
        std::array<std::uint8_t, 16> bytes{};
        unsigned prefix = 0;
    };

private:
    ClassifyOptions options_;
    std::vector<Network> networks_;
    bool in_prefetch_network(std::string_view ip) const;
};

} // namespace mailpush::tracking
