// The HTML side of rewriting: gumbo builds the tree as a browser would, and its attribute and
// end-tag pointers into our buffer give the exact byte ranges to replace. Untrusted input; the
// tree is walked with an explicit stack (no recursion on attacker-chosen depth).
#include "html_links.hpp"

#include "mailpush/common/strings.hpp"

#include <algorithm>
#include <gumbo.h>
#include <memory>

namespace mailpush::tracking::detail {
namespace {

struct OutputDeleter {
    void operator()(GumboOutput* output) const { gumbo_destroy_output(&kGumboDefaultOptions, output); }
};

bool skipped_subtree(GumboTag tag) {
    return tag == GUMBO_TAG_HEAD || tag == GUMBO_TAG_STYLE || tag == GUMBO_TAG_SCRIPT ||
           tag == GUMBO_TAG_TEMPLATE;
}

struct Source {
    const char* data;
    std::size_t size;
    // The offset of a piece gumbo points into our buffer, or npos if it points elsewhere.
    std::size_t offset_of(const GumboStringPiece& piece) const {
        if (piece.length == 0 || piece.data < data || piece.data + piece.length > data + size)
            return std::string_view::npos;
        return static_cast<std::size_t>(piece.data - data);
    }
};

bool kept(std::string_view url, const std::vector<std::string>& keep_prefixes) {
    for (const auto& p : keep_prefixes)
        if (!p.empty() && common::istarts_with(url, p)) return true;
    return false;
}

void add_link(const GumboElement& element, const Source& src, const std::vector<std::string>& keep,
              HtmlScan& scan) {
    const GumboAttribute* href = gumbo_get_attribute(&element.attributes, "href");
    if (!href || href->attr_namespace != GUMBO_ATTR_NAMESPACE_NONE) return;
    const std::size_t at = src.offset_of(href->original_value);
    if (at == std::string_view::npos) return;
    std::string url = browser_url(href->value);
    if (!is_web_url(url) || kept(url, keep)) return;
    const auto& raw = href->original_value;
    LinkSite site{at, at + raw.length, 0, std::move(url)};
    const char first = raw.data[0];
    if ((first == '"' || first == '\'') && raw.length >= 2 && raw.data[raw.length - 1] == first)
        site.quote = first;
    else if (first == '"' || first == '\'')
        return; // an unterminated quote: leave it
    scan.links.push_back(std::move(site));
}

} // namespace

std::string browser_url(std::string_view value) {
    while (!value.empty() && static_cast<unsigned char>(value.front()) <= 0x20)
        value.remove_prefix(1);
    while (!value.empty() && static_cast<unsigned char>(value.back()) <= 0x20)
        value.remove_suffix(1);
    std::string out;
    out.reserve(value.size());
    bool in_query = false;
    for (const char c : value) {
        if (c == '\t' || c == '\n' || c == '\r') continue;
        in_query = in_query || c == '?' || c == '#';
        // A browser reads a backslash before the query of an http(s) URL as a slash.
        out.push_back(c == '\\' && !in_query ? '/' : c);
    }
    return out;
}

bool is_web_url(std::string_view url) {
    return common::istarts_with(url, "http://") || common::istarts_with(url, "https://");
}

HtmlScan scan_html(std::string_view utf8, const std::vector<std::string>& keep_prefixes) {
    GumboOptions options = kGumboDefaultOptions;
    options.max_errors = 0; // we need the tree, not the list of parse errors
    std::unique_ptr<GumboOutput, OutputDeleter> output(
        gumbo_parse_with_options(&options, utf8.data(), utf8.size()));
    const Source src{utf8.data(), utf8.size()};
    HtmlScan scan;
    scan.pixel_at = utf8.size();
    std::size_t body_end = std::string_view::npos, html_end = std::string_view::npos;
    std::vector<const GumboNode*> stack{output->root};
    while (!stack.empty()) {
        const GumboNode* node = stack.back();
        stack.pop_back();
        if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) continue;
        const GumboElement& element = node->v.element;
        const bool html = element.tag_namespace == GUMBO_NAMESPACE_HTML;
        if (html && skipped_subtree(element.tag)) continue;
        if (html && (element.tag == GUMBO_TAG_A || element.tag == GUMBO_TAG_AREA))
            add_link(element, src, keep_prefixes, scan);
        if (html && element.tag == GUMBO_TAG_BODY && body_end == std::string_view::npos)
            body_end = src.offset_of(element.original_end_tag);
        if (html && element.tag == GUMBO_TAG_HTML) html_end = src.offset_of(element.original_end_tag);
        for (unsigned i = element.children.length; i > 0; --i)
            stack.push_back(static_cast<const GumboNode*>(element.children.data[i - 1]));
    }
    if (body_end != std::string_view::npos)
        scan.pixel_at = body_end;
    else if (html_end != std::string_view::npos)
        scan.pixel_at = html_end;
    // Each site once, in source order: the parser clones misnested <a> elements (the adoption
    // agency algorithm), and a clone points at the same source attribute.
    std::sort(scan.links.begin(), scan.links.end(),
              [](const auto& a, const auto& b) { return a.begin < b.begin; });
    std::vector<LinkSite> sites;
    for (auto& site : scan.links)
        if (sites.empty() || sites.back().end <= site.begin) sites.push_back(std::move(site));
    scan.links = std::move(sites);
    return scan;
}

} // namespace mailpush::tracking::detail
