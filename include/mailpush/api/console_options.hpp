// The [console] keys (docs/console.md, docs/config.md).
#pragma once

#include <chrono>
#include <string>

namespace mailpush::api {

struct ConsoleOptions {
    bool enabled = true;
    std::string assets;                               // "": share/mailpush/console beside the binary
    std::chrono::seconds session_idle{30 * 60};       // signed out after this long without a request
    std::chrono::seconds session_lifetime{12 * 3600}; // and this long after signing in, whatever
    unsigned sign_in_failures = 10;                   // failed sign-ins per client IP, and per account,
    std::chrono::seconds sign_in_window{15 * 60};     // within this window; then 429 until it passes
};

} // namespace mailpush::api
