// RFC 5322 §3.4 address lists as found in From:, Sender:, To: header values: display names
// (atoms, quoted strings, encoded words), comments, angle addresses, groups (RFC 6854), and
// UTF-8 (RFC 6532). Pure; handles untrusted input in time linear in its length.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::smtp {

// The addr-specs of `value` ("local@domain", comments and blanks removed, quoted local parts
// kept quoted), in order; nullopt if the value is not an address list we can read.
std::optional<std::vector<std::string>> parse_address_list(std::string_view value);

} // namespace mailpush::smtp
