// Bounded randomized input for the parsers that read untrusted requests: no crash, no hang,
// and the sanitizer run checks every access. Fixed seed, so a failure reproduces.
#include "mailpush/common/url.hpp"
#include "mailpush/openapi/receiver_upload.hpp"
#include "mailpush/openapi/signature.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace mailpush;

namespace {
std::string random_text(std::mt19937& rng, std::size_t max_len) {
    static constexpr char kAlphabet[] =
        "aZ09@.,;=&%+\"\r\n {}-/:_ACS3HMACredentialSignedHeaders\xe4\xbd\xa0\x80\xff";
    std::uniform_int_distribution<std::size_t> len(0, max_len), pick(0, sizeof kAlphabet - 2);
    std::string s(len(rng), ' ');
    for (auto& c : s)
        c = kAlphabet[pick(rng)];
    return s;
}
} // namespace

TEST(RandomInput, ParsersNeverCrash) {
    std::mt19937 rng(20261124);
    for (int i = 0; i < 3000; ++i) {
        const auto text = random_text(rng, 200);
        (void)common::parse_form(text);
        (void)common::percent_decode(text, true);
        (void)openapi::parse_acs3_authorization("ACS3-HMAC-SHA256 " + text);
        (void)openapi::parse_acs3_authorization(text);
        (void)openapi::parse_utc_timestamp(text.substr(0, 20));
        const auto upload = openapi::parse_receiver_upload(text, 50);
        EXPECT_EQ(upload.rows.size(), upload.lines.size());
        openapi::SignedRequest r{"POST", "/", common::parse_form(text), {{"host", text}}, text};
        (void)openapi::acs3_signature(r, {"host", "x-acs-date"}, openapi::sha256_hex(text), "k");
        (void)openapi::rpc_signature("POST", r.query, "k");
    }
}
