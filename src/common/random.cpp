#include "mailpush/common/random.hpp"

#include <openssl/rand.h>

#include <stdexcept>

namespace mailpush::common {

std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
        throw std::runtime_error("RAND_bytes failed");
    return out;
}

std::string random_token(std::size_t n) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string out;
    out.reserve(n);
    while (out.size() < n)
        for (const char b : random_bytes(n)) {
            const auto v = static_cast<unsigned char>(b);
            if (v < 248 && out.size() < n) out += kAlphabet[v % 62]; // 248 = 4*62: no modulo bias
        }
    return out;
}

} // namespace mailpush::common
