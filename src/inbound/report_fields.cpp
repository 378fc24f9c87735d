// The "name: value" blocks of delivery-status (RFC 3464 §2.1) and feedback-report (RFC 5965
// §3.1) bodies. Untrusted input: every size is bounded by the caller's text and max_blocks.
#include "mailpush/common/strings.hpp"
#include "mailpush/inbound/report.hpp"

namespace mailpush::inbound {
namespace {
constexpr std::size_t kMaxFieldsPerBlock = 64;
constexpr std::size_t kMaxValueBytes = 4096; // a longer value is cut: diagnostics stay readable

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}
} // namespace

std::vector<std::vector<Field>> parse_field_blocks(std::string_view text, std::size_t max_blocks) {
    std::vector<std::vector<Field>> blocks;
    std::vector<Field> current;
    auto end_block = [&] {
        if (!current.empty() && blocks.size() < max_blocks) blocks.push_back(std::move(current));
        current.clear();
    };
    while (!text.empty() && blocks.size() < max_blocks) {
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (trim(line).empty()) {
            end_block();
            continue;
        }
        if (line.front() == ' ' || line.front() == '\t') { // folded continuation
            if (!current.empty() && current.back().value.size() < kMaxValueBytes) {
                current.back().value += ' ';
                current.back().value += trim(line);
            }
            continue;
        }
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) continue; // not a field: skipped
        if (current.size() >= kMaxFieldsPerBlock) continue;
        current.push_back(
            {common::to_lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))});
    }
    end_block();
    for (auto& b : blocks)
        for (auto& f : b)
            if (f.value.size() > kMaxValueBytes) f.value.resize(kMaxValueBytes);
    return blocks;
}

std::string rfc822_address(std::string_view value) {
    const auto semi = value.find(';');
    if (semi == std::string_view::npos) return {};
    if (!common::iequals(trim(value.substr(0, semi)), "rfc822")) return {};
    auto addr = trim(value.substr(semi + 1));
    if (addr.size() >= 2 && addr.front() == '<' && addr.back() == '>') addr = addr.substr(1, addr.size() - 2);
    if (addr.find_first_of(" \t<>\"") != std::string_view::npos || addr.find('@') == std::string_view::npos)
        return {};
    return common::to_lower(addr);
}

std::string_view to_string(Kind kind) {
    switch (kind) {
    case Kind::delivery_report:
        return "dsn";
    case Kind::feedback_report:
        return "arf";
    case Kind::malformed_report:
        return "malformed";
    case Kind::human:
        return "reply";
    }
    return "unknown";
}

} // namespace mailpush::inbound
