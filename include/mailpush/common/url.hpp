// URL and form encoding (RFC 3986 percent-encoding, application/x-www-form-urlencoded).
// Pure; decodes untrusted input leniently (a malformed escape stays as it is).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailpush::common {

std::string percent_decode(std::string_view s, bool plus_as_space);

// A set of bytes, built at compile time: which bytes percent_encode() writes as they are.
class ByteSet {
public:
    constexpr ByteSet() = default;
    constexpr explicit ByteSet(std::string_view bytes) {
        for (const char c : bytes)
            add(static_cast<unsigned char>(c));
    }
    static constexpr ByteSet range(char first, char last) {
        ByteSet s;
        for (int c = static_cast<unsigned char>(first); c <= static_cast<unsigned char>(last); ++c)
            s.add(static_cast<unsigned char>(c));
        return s;
    }
    constexpr bool contains(unsigned char c) const { return (bits_[c >> 6] >> (c & 63)) & 1; }
    constexpr ByteSet operator|(const ByteSet& o) const {
        ByteSet s;
        for (std::size_t i = 0; i < bits_.size(); ++i)
            s.bits_[i] = bits_[i] | o.bits_[i];
        return s;
    }
    constexpr ByteSet operator~() const {
        ByteSet s;
        for (std::size_t i = 0; i < bits_.size(); ++i)
            s.bits_[i] = ~bits_[i];
        return s;
    }

private:
    constexpr void add(unsigned char c) { bits_[c >> 6] |= std::uint64_t{1} << (c & 63); }
    std::array<std::uint64_t, 4> bits_{};
};

// RFC 3986 unreserved characters: A-Z a-z 0-9 - _ . ~
inline constexpr ByteSet kUnreserved =
    ByteSet::range('A', 'Z') | ByteSet::range('a', 'z') | ByteSet::range('0', '9') | ByteSet("-_.~");

// Writes each byte of `keep` as it is and every other byte as %XX (upper-case hex). The default
// is RFC 3986 encoding (request signing, query strings).
std::string percent_encode(std::string_view s, const ByteSet& keep = kUnreserved);

// "a=1&b=x%20y" -> {{"a","1"},{"b","x y"}}, in order; '+' is a space; empty items are skipped.
std::vector<std::pair<std::string, std::string>> parse_form(std::string_view s);

} // namespace mailpush::common
