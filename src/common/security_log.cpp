#include "mailpush/common/security_log.hpp"

namespace mailpush::common {
namespace {
SecuritySink& sink() {
    static SecuritySink s;
    return s;
}
} // namespace

void set_security_sink(SecuritySink s) {
    sink() = std::move(s);
}

void security_event(const SecurityEvent& event) {
    if (const auto& s = sink()) s(event);
}

} // namespace mailpush::common
