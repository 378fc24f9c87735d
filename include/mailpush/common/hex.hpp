// Hexadecimal text of bytes (digests, ids, escapes). Pure.
#pragma once

#include <string>
#include <string_view>

namespace mailpush::common {

enum class HexCase { lower, upper };

// Two digits per byte, most significant first.
std::string to_hex(std::string_view bytes, HexCase letters = HexCase::lower);

// Appends the two digits of one byte.
void append_hex(std::string& out, unsigned char byte, HexCase letters = HexCase::lower);

} // namespace mailpush::common
