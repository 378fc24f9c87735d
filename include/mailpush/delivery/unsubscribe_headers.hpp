// The engine's own header step for one-click unsubscribe (docs/suppression.md), at delivery
// and before DKIM signing: X-AliDM-Settings (the SMTP client's ask, read at acceptance) is
// never delivered, and a one-recipient job of a message that asked for the link gets its
// recipient's List-Unsubscribe and List-Unsubscribe-Post lines. Pure.
#pragma once

#include <string>
#include <string_view>

namespace mailpush::delivery {

// `lines`: complete header lines ("Name: value\r\n"...), "" for none. Removes every
// X-AliDM-Settings, and any List-Unsubscribe(-Post) when `lines` brings its own.
std::string apply_unsubscribe_headers(std::string body, std::string_view lines);

} // namespace mailpush::delivery
