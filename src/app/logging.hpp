// Logging setup for mailpushd: one line per event, text or JSON (SPEC §10).
#pragma once

#include "mailpush/config/config.hpp"

namespace mailpush::app {

void setup_logging(const config::Config& cfg);

} // namespace mailpush::app
