// Strict base64: we validate the shape ourselves and let OpenSSL do the bit work.
#include "mailpush/common/base64.hpp"

#include <openssl/evp.h>

namespace mailpush::common {
namespace {
bool is_b64_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}
} // namespace

std::string base64_encode(std::string_view raw) {
    std::string out(4 * ((raw.size() + 2) / 3), '\0');
    const int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                        reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::optional<std::string> base64_decode(std::string_view in) {
    if (in.size() % 4 != 0) return std::nullopt;
    std::size_t pad = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '=') {
            // '=' only in the last two positions, and nothing but '=' after the first one.
            if (i + 2 < in.size()) return std::nullopt;
            ++pad;
        } else if (pad != 0 || !is_b64_char(c)) {
            return std::nullopt;
        }
    }
    if (in.empty()) return std::string{};
    // The bits a padded last group leaves over must be zero: "AK==" is not the encoding of "\0".
    if (pad > 0) {
        const char last = in[in.size() - pad - 1];
        const int value = last >= 'A' && last <= 'Z'   ? last - 'A'
                          : last >= 'a' && last <= 'z' ? last - 'a' + 26
                          : last >= '0' && last <= '9' ? last - '0' + 52
                          : last == '+'                ? 62
                                                       : 63;
        if ((value & (pad == 1 ? 0x03 : 0x0f)) != 0) return std::nullopt;
    }
    std::string out(in.size() / 4 * 3, '\0');
    const int n =
        EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                        reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    if (n < 0) return std::nullopt;
    out.resize(static_cast<std::size_t>(n) - pad); // EVP_DecodeBlock counts padding as zero bytes
    return out;
}

std::string base64_to_url(std::string base64) {
    for (auto& c : base64)
        c = c == '+' ? '-' : c == '/' ? '_' : c;
    while (!base64.empty() && base64.back() == '=')
        base64.pop_back();
    return base64;
}

std::optional<std::string> base64_from_url(std::string_view token) {
    std::string text(token);
    for (auto& c : text) {
        if (c == '-')
            c = '+';
        else if (c == '_')
            c = '/';
        else if (c == '+' || c == '/' || c == '=')
            return std::nullopt;
    }
    while (text.size() % 4 != 0)
        text.push_back('=');
    if (!base64_decode(text)) return std::nullopt;
    return text;
}

} // namespace mailpush::common
