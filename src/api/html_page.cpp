#include "html_page.hpp"

namespace mailpush::api {

std::string html_escaped(std::string_view text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '&':
            out += "&amp;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string html_page(std::string_view title, std::string_view text, std::string_view form) {
    return "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"robots\" content=\"noindex\">"
           "<title>" +
           html_escaped(title) + "</title></head><body><h1>" + html_escaped(title) + "</h1><p>" +
           html_escaped(text) + "</p>" + std::string(form) + "</body></html>\n";
}

} // namespace mailpush::api
