#include "mailpush/common/version.hpp"

#ifndef MAILPUSH_VERSION
#error "MAILPUSH_VERSION is defined by src/CMakeLists.txt"
#endif

namespace mailpush::common {

std::string_view version() {
    return MAILPUSH_VERSION;
}

} // namespace mailpush::common
