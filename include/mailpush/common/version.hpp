// The version the binaries report with --version: CMake's project() version, plus `git describe`
// of the source tree when it was configured from a git checkout.
#pragma once

#include <string_view>

namespace mailpush::common {

std::string_view version(); // "0.1.0 (f645503-dirty)" or "0.1.0"

} // namespace mailpush::common
