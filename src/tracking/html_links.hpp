// Where an HTML document's trackable links and the open pixel go (gumbo, an HTML5 parser that
// keeps each attribute value's source position). Pure; untrusted input (UTF-8 text).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mailpush::tracking::detail {

struct LinkSite {
    std::size_t begin = 0, end = 0; // the attribute value in the source, quotes included
    char quote = 0;                 // '"', '\'' or 0 (unquoted)
    std::string url;                // the target as a browser follows it
};

struct HtmlScan {
    std::vector<LinkSite> links; // in source order
    std::size_t pixel_at = 0;    // before </body>, else before </html>, else the end
};

// The http(s) href of every <a> and <area> outside <head>, <style>, <script> and <template>,
// except those starting with one of `keep_prefixes`.
HtmlScan scan_html(std::string_view utf8, const std::vector<std::string>& keep_prefixes);

// A browser's reading of an href: entities already decoded by the parser, leading and trailing
// C0 controls and spaces dropped, tabs and line breaks inside removed, a backslash before the
// query or fragment read as a slash (WHATWG URL §4.4, as for http and https).
std::string browser_url(std::string_view value);

// True for http:// and https:// (any case).
bool is_web_url(std::string_view url);

} // namespace mailpush::tracking::detail
