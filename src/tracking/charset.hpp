// Charset conversion to and from UTF-8 through GMime's iconv helpers, strict: any byte that does
// not convert fails the whole conversion (never a replacement character). Untrusted input.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mailpush::tracking::detail {

// The charset a part's label is decoded as: "" (no label), "us-ascii" and "utf-8" are UTF-8
// (8-bit text without a label is read as UTF-8 or not at all); GB2312 is read as its superset
// GBK, the charset mail labelled GB2312 is in practice written in. Other names go to iconv as
// they are.
std::string decoding_charset(std::string_view label);

// nullopt: the charset is unknown or the text is not valid in it.
std::optional<std::string> to_utf8(std::string_view text, const std::string& charset);
std::optional<std::string> from_utf8(std::string_view utf8, const std::string& charset);

} // namespace mailpush::tracking::detail
