// What every fuzz target shares: an invariant check that aborts (libFuzzer then saves the input
// as a crash), and the SMTP wire-format check both session targets apply to their output.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(condition)                                                                                \
    do {                                                                                                     \
        if (!(condition)) {                                                                                  \
            std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #condition);           \
            std::abort();                                                                                    \
        }                                                                                                    \
    } while (false)

namespace mailpush::fuzz {

// Every line "DDD " or "DDD-", first digit 2..5, ending in CRLF, no CR or LF inside.
inline bool well_formed_replies(std::string_view wire) {
    std::size_t pos = 0;
    while (pos < wire.size()) {
        const auto eol = wire.find("\r\n", pos);
        if (eol == std::string_view::npos) return false;
        const auto line = wire.substr(pos, eol - pos);
        if (line.size() < 4 || line[0] < '2' || line[0] > '5' || (line[3] != ' ' && line[3] != '-'))
            return false;
        if (line.find_first_of("\r\n") != std::string_view::npos) return false;
        pos = eol + 2;
    }
    return true;
}

} // namespace mailpush::fuzz
