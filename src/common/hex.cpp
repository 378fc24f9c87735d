#include "mailpush/common/hex.hpp"

namespace mailpush::common {

void append_hex(std::string& out, unsigned char byte, HexCase letters) {
    static constexpr char kLower[] = "0123456789abcdef";
    static constexpr char kUpper[] = "0123456789ABCDEF";
    const char* digits = letters == HexCase::lower ? kLower : kUpper;
    out += digits[byte >> 4];
    out += digits[byte & 15];
}

std::string to_hex(std::string_view bytes, HexCase letters) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes)
        append_hex(out, static_cast<unsigned char>(c), letters);
    return out;
}

} // namespace mailpush::common
