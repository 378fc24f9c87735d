// URL and form encoding (RFC 3986 percent-encoding, application/x-www-form-urlencoded).
// Pure; decodes untrusted input leniently (a malformed escape stays as it is).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailpush::common {

std::string percent_decode(std::string_view s, bool plus_as_space);

// Encodes every byte except the RFC 3986 unreserved set (A-Z a-z 0-9 - _ . ~), upper-case hex.
std::string percent_encode(std::string_view s);

// "a=1&b=x%20y" -> {{"a","1"},{"b","x y"}}, in order; '+' is a space; empty items are skipped.
std::vector<std::pair<std::string, std::string>> parse_form(std::string_view s);

} // namespace mailpush::common
