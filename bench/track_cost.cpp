// mailpush-track-cost: microseconds per TrackedMessage::analyse (once per message) and per
// render (once per recipient) for HTML messages of about 5 KB, 50 KB and 500 KB, in 8bit,
// quoted-printable and base64, with a text/plain alternative beside the HTML; one link per
// ~500 bytes of HTML. Also make_token. For docs/performance.md. Usage: mailpush-track-cost [rounds]
#include "cpu_time.hpp"

#include "mailpush/common/base64.hpp"
#include "mailpush/tracking/rewrite.hpp"
#include "mailpush/tracking/token.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {
using mailpush::bench::us_per_call;
namespace tracking = mailpush::tracking;

// ASCII HTML in lines shorter than 76 characters, so that "=" -> "=3D" is its quoted-printable form.
std::string make_html(std::size_t bytes) {
    std::string html = "<html><head><title>Letter</title></head><body>\r\n";
    for (int n = 0; html.size() < bytes; ++n) {
        html += "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n";
        html += "Sed do eiusmod tempor incididunt ut labore et dolore magna.\r\n";
        html += "Ut enim ad minim veniam, quis nostrud exercitation ullamco.\r\n";
        html += "Duis aute irure dolor in reprehenderit in voluptate velit.\r\n";
        html += "<a href=\"https://shop.example.com/item?id=" + std::to_string(n % 40) +
                "&amp;s=mail\">more</a>\r\n";
        html += "Excepteur sint occaecat cupidatat non proident, sunt in.</p>\r\n";
    }
    return html + "</body></html>\r\n";
}

std::string encode(const std::string& html, const std::string& cte) {
    if (cte == "8bit") return html;
    if (cte == "quoted-printable") {
        std::string out;
        for (const char c : html)
            out += c == '=' ? std::string("=3D") : std::string(1, c);
        return out;
    }
    const std::string b64 = mailpush::common::base64_encode(html);
    std::string out;
    for (std::size_t at = 0; at < b64.size(); at += 76)
        out += b64.substr(at, 76) + "\r\n";
    return out;
}

std::string make_message(std::size_t html_bytes, const std::string& cte) {
    return "From: Sender <news@example.org>\r\nTo: someone@example.net\r\nSubject: The monthly letter\r\n"
           "Message-ID: <20261202060000.1@example.org>\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/alternative; boundary=\"=_alt\"\r\n\r\n"
           "--=_alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe monthly letter, in plain text.\r\n"
           "--=_alt\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: " +
           cte + "\r\n\r\n" + encode(make_html(html_bytes), cte) + "\r\n--=_alt--\r\n";
}

} // namespace

int main(int argc, char** argv) {
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 50;
    if (rounds <= 0) {
        std::fprintf(stderr, "usage: mailpush-track-cost [rounds]\n");
        return 2;
    }
    const tracking::TrackingKey key{1, std::string(32, '\x5a')};
    const tracking::TrackOptions options{true, true, {"https://mail.example.com/u/"}};
    std::size_t sink = 0;
    std::uint64_t envid = 1'000'000;
    const auto token = [&](std::uint32_t link) { return tracking::make_token(key, {envid, 3, link}); };
    std::printf("what encoding message_bytes links cpu_us_per_call (%d rounds, one thread)\n", rounds);
    std::printf("make_token - 0 0 %.2f\n", us_per_call(rounds * 100, [&] { sink += token(1).size(); }));
    for (const std::size_t size : {std::size_t{5'000}, std::size_t{50'000}, std::size_t{500'000}}) {
        for (const std::string cte : {"8bit", "quoted-printable", "base64"}) {
            const std::string message = make_message(size, cte);
            const int n = size >= 500'000 ? (rounds + 9) / 10 : rounds;
            const auto tracked = tracking::TrackedMessage::analyse(message, options);
            if (!tracked.tracked()) {
                std::fprintf(stderr, "not tracked: %s\n", tracked.reason().c_str());
                return 1;
            }
            const auto links = tracked.links().size();
            std::printf("analyse %s %zu %zu %.1f\n", cte.c_str(), message.size(), links, us_per_call(n, [&] {
                            sink += tracking::TrackedMessage::analyse(message, options).links().size();
                        }));
            std::printf("render %s %zu %zu %.1f\n", cte.c_str(), message.size(), links, us_per_call(n, [&] {
                            ++envid;
                            sink += tracked.render("http://dmtrace.example.com", token).size();
                        }));
        }
    }
    return sink == 0 ? 1 : 0;
}
