// What a tracking token says once its signature has been checked: the message (envid), the
// recipient's index in it and the link number (0 = the open pixel). Pure data.
#pragma once

#include <cstdint>

namespace mailpush::tracking {

struct TokenClaim {
    std::uint64_t envid = 0;
    std::uint32_t rcpt_idx = 0;
    std::uint32_t link = 0; // 0 = open pixel
};

} // namespace mailpush::tracking
