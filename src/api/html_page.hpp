// The minimal HTML pages the public listener shows (reply-to confirmation, unsubscribe): every
// text in them escaped, no script, nothing loaded from elsewhere.
#pragma once

#include <string>
#include <string_view>

namespace mailpush::api {

std::string html_escaped(std::string_view text);

// A page with `title` as its title and heading, `text` as its paragraph (both escaped) and
// `form` (markup the caller built from escaped parts) after it.
std::string html_page(std::string_view title, std::string_view text, std::string_view form = "");

} // namespace mailpush::api
