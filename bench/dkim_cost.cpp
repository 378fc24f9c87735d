// mailpush-dkim-cost: microseconds per DKIM signature (the whole dkim::sign call: parse, body
// hash, header data, PEM key load, signature, folding) for RSA-1024, RSA-2048, Ed25519 and
// Ed25519 + RSA-2048 together, on a 2 KiB and a 100 KiB message, and the relaxed
// canonicalization alone. For docs/performance.md. Usage: mailpush-dkim-cost [rounds]
#include "cpu_time.hpp"

#include "mailpush/dkim/dkim.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {
using mailpush::bench::us_per_call;
namespace dkim = mailpush::dkim;

std::string make_message(std::size_t body_bytes) {
    std::string m = "From: Sender <news@example.org>\r\n"
                    "To: someone@example.net\r\n"
                    "Subject: The monthly letter\r\n"
                    "Date: Wed, 02 Dec 2026 06:00:00 +0000\r\n"
                    "Message-ID: <20261202060000.1@example.org>\r\n"
                    "MIME-Version: 1.0\r\n"
                    "Content-Type: text/plain; charset=utf-8\r\n"
                    "Content-Transfer-Encoding: 8bit\r\n"
                    "List-Unsubscribe: <https://example.org/u/1>\r\n"
                    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
                    "\r\n";
    const std::string line =
        "Lorem ipsum dolor sit amet,  consectetur adipiscing elit, sed do eiusmod tempor.\r\n";
    const std::size_t target = m.size() + body_bytes;
    while (m.size() + line.size() <= target)
        m += line;
    return m;
}

} // namespace

int main(int argc, char** argv) {
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 200;
    if (rounds <= 0) {
        std::fprintf(stderr, "usage: mailpush-dkim-cost [rounds]\n");
        return 2;
    }
    const auto rsa1024 = dkim::generate_key(dkim::Algorithm::rsa_sha256, 1024);
    const auto rsa2048 = dkim::generate_key(dkim::Algorithm::rsa_sha256, 2048);
    const auto ed = dkim::generate_key(dkim::Algorithm::ed25519_sha256);
    const dkim::SigningKey k1024{"example.org", "r1", dkim::Algorithm::rsa_sha256, rsa1024.private_pem};
    const dkim::SigningKey k2048{"example.org", "r2", dkim::Algorithm::rsa_sha256, rsa2048.private_pem};
    const dkim::SigningKey ked{"example.org", "e1", dkim::Algorithm::ed25519_sha256, ed.private_pem};
    struct Case {
        const char* name;
        std::vector<dkim::SigningKey> keys;
    };
    const std::vector<Case> cases = {
        {"rsa-1024", {k1024}}, {"rsa-2048", {k2048}}, {"ed25519", {ked}}, {"ed25519+rsa-2048", {ked, k2048}}};
    std::size_t sink = 0;
    dkim::SignOptions options;
    options.timestamp = 1796191200;

    std::printf("what message_bytes cpu_us_per_call (%d rounds, one thread)\n", rounds);
    for (const auto* key : {&rsa2048, &ed})
        std::printf("key-from-pem %s 0 %.1f\n", key == &ed ? "ed25519" : "rsa-2048", us_per_call(rounds, [&] {
                        sink += dkim::key_from_pem(key->private_pem).public_b64.size();
                    }));
    for (const std::size_t body : {std::size_t{2048}, std::size_t{100 * 1024}}) {
        const std::string message = make_message(body);
        const std::string_view body_view = std::string_view(message).substr(message.find("\r\n\r\n") + 4);
        std::printf("canonicalize-relaxed-body %zu %.1f\n", message.size(), us_per_call(rounds, [&] {
                        sink += dkim::canonical_body(dkim::Canonicalization::relaxed, body_view).size();
                    }));
        for (const auto& c : cases)
            std::printf("sign %s %zu %.1f\n", c.name, message.size(),
                        us_per_call(rounds, [&] { sink += dkim::sign(message, c.keys, options).size(); }));
    }
    return sink == 0 ? 1 : 0;
}
