// Strict charset conversion over g_mime_iconv (GMime canonicalises the names and caches the
// converters). UTF-8 is checked, not converted.
#include "charset.hpp"

#include "mime_parts.hpp"

#include "mailpush/common/strings.hpp"

#include <cerrno>
#include <gmime/gmime.h>

namespace mailpush::tracking::detail {
namespace {

constexpr std::string_view kUtf8 = "UTF-8";

std::optional<std::string> convert(std::string_view text, const char* to, const char* from) {
    init_gmime();
    iconv_t cd = g_mime_iconv_open(to, from);
    if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
    std::string out;
    out.resize(text.size() * 2 + 16);
    char* in = const_cast<char*>(text.data()); // iconv's signature; the input is not written
    std::size_t in_left = text.size();
    std::size_t used = 0;
    bool ok = true;
    for (bool flushing = false;;) {
        char* dst = out.data() + used;
        std::size_t dst_left = out.size() - used;
        const std::size_t rc = flushing ? g_mime_iconv(cd, nullptr, nullptr, &dst, &dst_left)
                                        : g_mime_iconv(cd, &in, &in_left, &dst, &dst_left);
        used = out.size() - dst_left;
        if (rc != static_cast<std::size_t>(-1)) {
            if (flushing) break;
            flushing = true; // the shift state back to the initial one (stateful charsets)
            continue;
        }
        if (errno != E2BIG) {
            ok = false; // EILSEQ or EINVAL: a byte sequence that is not text in `from`
            break;
        }
        out.resize(out.size() * 2);
    }
    g_mime_iconv_close(cd);
    if (!ok) return std::nullopt;
    out.resize(used);
    return out;
}

bool is_utf8(const std::string& charset) {
    return charset == kUtf8;
}

} // namespace

std::string decoding_charset(std::string_view label) {
    const auto name = common::to_lower(common::trim(label));
    if (name.empty() || name == "us-ascii" || name == "ascii" || name == "utf-8" || name == "utf8")
        return std::string(kUtf8);
    if (name == "gb2312" || name == "gb_2312-80" || name == "x-gbk" || name == "cp936") return "GBK";
    return name;
}

std::optional<std::string> to_utf8(std::string_view text, const std::string& charset) {
    if (is_utf8(charset)) {
        if (!common::valid_utf8(text)) return std::nullopt;
        return std::string(text);
    }
    return convert(text, kUtf8.data(), charset.c_str());
}

std::optional<std::string> from_utf8(std::string_view utf8, const std::string& charset) {
    if (is_utf8(charset)) return std::string(utf8);
    return convert(utf8, charset.c_str(), kUtf8.data());
}

} // namespace mailpush::tracking::detail
