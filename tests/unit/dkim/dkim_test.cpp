// The dkim module against the RFCs' own examples (RFC 6376 §3.4.5, RFC 8463 Appendix A) and
// round trips through our verifier.
#include "mailpush/dkim/dkim.hpp"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

namespace dkim = mailpush::dkim;

namespace {

// RFC 8463 Appendix A.1: the Ed25519 secret key (RFC 8032 §7.1 test 1) as PKCS#8, and the RSA key.
constexpr const char* rfc_ed25519_pem = "-----BEGIN PRIVATE KEY-----\n"
                                        "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
                                        "-----END PRIVATE KEY-----\n";
constexpr const char* rfc_rsa_pem = "-----BEGIN RSA PRIVATE KEY-----\n"
                                    "MIICXQIBAAKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQi\n"
                                    "Y/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqM\n"
                                    "KrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB\n"
                                    "AoGAH0cxOhFZDgzXWhDhnAJDw5s4roOXN4OhjiXa8W7Y3rhX3FJqmJSPuC8N9vQm\n"
                                    "6SVbaLAE4SG5mLMueHlh4KXffEpuLEiNp9Ss3O4YfLiQpbRqE7Tm5SxKjvvQoZZe\n"
                                    "zHorimOaChRL2it47iuWxzxSiRMv4c+j70GiWdxXnxe4UoECQQDzJB/0U58W7RZy\n"
                                    "6enGVj2kWF732CoWFZWzi1FicudrBFoy63QwcowpoCazKtvZGMNlPWnC7x/6o8Gc\n"
                                    "uSe0ga2xAkEA8C7PipPm1/1fTRQvj1o/dDmZp243044ZNyxjg+/OPN0oWCbXIGxy\n"
                                    "WvmZbXriOWoSALJTjExEgraHEgnXssuk7QJBALl5ICsYMu6hMxO73gnfNayNgPxd\n"
                                    "WFV6Z7ULnKyV7HSVYF0hgYOHjeYe9gaMtiJYoo0zGN+L3AAtNP9huqkWlzECQE1a\n"
                                    "licIeVlo1e+qJ6Mgqr0Q7Aa7falZ448ccbSFYEPD6oFxiOl9Y9se9iYHZKKfIcst\n"
                                    "o7DUw1/hz2Ck4N5JrgUCQQCyKveNvjzkkd8HjYs0SwM0fPjK16//5qDZ2UiDGnOe\n"
                                    "uEzxBDAr518Z8VFbR41in3W4Y3yCDgQlLlcETrS+zYcL\n"
                                    "-----END RSA PRIVATE KEY-----\n";
// A.2: the key records (the RSA one's character-strings joined).
constexpr const char* rfc_ed25519_record =
    "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
constexpr const char* rfc_rsa_record = "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR"
                                       "iGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutAC"
                                       "DfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3"
                                       "Ip3G+2kryOTIKT+l/K4w3QIDAQAB";
// A.3 (the message of RFC 6376 Appendix A), unsigned, and the signatures as printed (the
// RFC's page indent removed, lines joined with CRLF).
constexpr const char* rfc_message = "From: Joe SixPack <joe@football.example.com>\r\n"
                                    "To: Suzie Q <suzie@shopping.example.net>\r\n"
                                    "Subject: Is dinner ready?\r\n"
                                    "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
                                    "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"
                                    "\r\n"
                                    "Hi.\r\n"
                                    "\r\n"
                                    "We lost the game.  Are you hungry yet?\r\n"
                                    "\r\n"
                                    "Joe.\r\n";
constexpr const char* rfc_signatures = "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"
                                       " d=football.example.com; i=@football.example.com;\r\n"
                                       " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n"
                                       " subject : date : message-id : from : subject : date;\r\n"
                                       " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
                                       " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n"
                                       " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\r\n"
                                       "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
                                       " d=football.example.com; i=@football.example.com;\r\n"
                                       " q=dns/txt; s=test; t=1528637909; h=from : to : subject :\r\n"
                                       " date : message-id : from : subject : date;\r\n"
                                       " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
                                       " b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\r\n"
                                       " DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\r\n"
                                       " dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=\r\n";
constexpr const char* rfc_bh = "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=";
constexpr const char* rfc_ed25519_b =
    "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==";
constexpr const char* rfc_rsa_b =
    "F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3DhCVlUrSjV4BwcVcOF6+"
    "FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2JzdA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=";

// A message OpenDKIM 2.11.0 signed (Postfix milter, bench/postfix-opendkim.sh's preflight, RSA
// 2048, relaxed/relaxed, From over-signed), and its public key: our verifier agrees with an
// independent signer.
constexpr const char* opendkim_message =
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com;\r\n"
    "\ts=bench; t=1796192543;\r\n"
    "\tbh=ecGWgWCJeWxJFeM0urOVWP+KOlqqvsQYKOpYUP8nk7I=;\r\n"
    "\th=Date:To:From:Subject:From;\r\n"
    "\tb=cDDUcFm2IgSdURyTjH8LKOh4cQVC+/gzc3mLBX4xL1FHQ3FT3YsBdnXSnwdYiKkvO\r\n"
    "\t 5OQJTfT02O7c4pCDy/nWw3Tx+8T/XHw9rwsN8lLb2L4AxmeNYNF22dF7mUya17fNri\r\n"
    "\t TMVDa40D+j2IpKw3y5y48VrPaj2xIW0GBLVPQO9od8KftYvbHk7iWLF5NT7YTJLWH0\r\n"
    "\t RQ9PRWfMuBLTERj1PrUP5JCsIwTMLyaM9iNq0mUWPuRKzO7LaWxfOtFpX4vIeYCh2F\r\n"
    "\t cJhUf0py28jhVM58bL70Cc0i7FqRFBo794NrNMWfzB4b0Hqb392M3KvY8eNiAqGxzH\r\n"
    "\t KxyitVCq0jNgQ==\r\n"
    "Received: from vm (unknown [127.0.0.1])\r\n"
    "\tby bench.localdomain (Postfix) with ESMTP id 8BC0C10809D\r\n"
    "\tfor <rcpt@example.net>; Wed,  2 Dec 2026 06:22:23 +0000 (UTC)\r\n"
    "Date: Wed, 02 Dec 2026 06:22:23 +0000\r\n"
    "To: rcpt@example.net\r\n"
    "From: sender@example.com\r\n"
    "Subject: opendkim preflight\r\n"
    "Message-Id: <20261202062223.019749@vm>\r\n"
    "X-Mailer: swaks v20201014.0 jetmore.org/john/code/swaks/\r\n"
    "\r\n"
    "This is a test mailing\r\n"
    "\r\n"
    "\r\n"
    "\r\n";
constexpr const char* opendkim_record =
    "v=DKIM1; h=sha256; k=rsa; p="
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAmL+2Sr4E9B75r0iVle397GqJOe0KgbE7QtbnOFT8fML5T6"
    "emxy8LiV/HOEQ5JVcy47zXcz8vABu9XV2UsAKmvAURwRVrsgrnvhwECAkt15wXaQ4ae/0iZcONtieQD/StKzCgn3gf"
    "/05TnKIYZiraQgJjsA0TgCWv0clZQOfbM0fgJvFJWLvx5s/05/oOZtRovqnkRqwYradqSTB5ztNh0qEvcBmzzYbVxM"
    "1xiJKVGBzDsrg9sBEqRZu+qSnLcWj9DYI/wGZzvzeq74ArHN6ui4BA+RjECVzIYfSGeYPvOiYRj/7IZhjHrErJAgHU"
    "K6lURjJq42vIqF6RxcY2SD7ZQwIDAQAB";

// The value of tag `name` in a signature header, whitespace removed.
std::string tag_value(const std::string& header, const std::string& name) {
    std::string flat;
    for (char c : header)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') flat.push_back(c);
    const auto at = flat.find(";" + name + "=");
    if (at == std::string::npos) return {};
    const auto start = at + name.size() + 2;
    const auto end = flat.find(';', start);
    return flat.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

dkim::SignOptions rfc_options() {
    dkim::SignOptions o;
    o.headers = {"from", "to", "subject", "date", "message-id", "from", "subject", "date"};
    o.oversign = false;
    o.timestamp = 1528637909;
    o.identity = "@football.example.com";
    return o;
}

dkim::KeyLookup lookup_in(std::map<std::string, std::string> records) {
    return [records = std::move(records)](const std::string& selector,
                                          const std::string& domain) -> std::optional<std::string> {
        const auto it = records.find(selector + "._domainkey." + domain);
        if (it == records.end()) return std::nullopt;
        return it->second;
    };
}

std::vector<dkim::VerifyStatus> statuses(const std::string& message, const dkim::KeyLookup& lookup) {
    std::vector<dkim::VerifyStatus> out;
    for (const auto& r : dkim::verify(message, lookup))
        out.push_back(r.status);
    return out;
}

} // namespace

// RFC 6376 §3.4.5, exact strings.
TEST(DkimCanonicalization, Rfc6376Example) {
    EXPECT_EQ(dkim::canonical_header(dkim::Canonicalization::relaxed, "A: X"), "a:X\r\n");
    EXPECT_EQ(dkim::canonical_header(dkim::Canonicalization::relaxed, "B : Y\t\r\n\tZ  "), "b:Y Z\r\n");
    EXPECT_EQ(dkim::canonical_header(dkim::Canonicalization::simple, "A: X"), "A: X\r\n");
    EXPECT_EQ(dkim::canonical_header(dkim::Canonicalization::simple, "B : Y\t\r\n\tZ  "),
              "B : Y\t\r\n\tZ  \r\n");
    const std::string body = " C \r\nD \t E\r\n\r\n\r\n";
    EXPECT_EQ(dkim::canonical_body(dkim::Canonicalization::relaxed, body), " C\r\nD E\r\n");
    EXPECT_EQ(dkim::canonical_body(dkim::Canonicalization::simple, body), " C \r\nD \t E\r\n");
}

TEST(DkimCanonicalization, EmptyBodiesAndTrailingLines) {
    EXPECT_EQ(dkim::canonical_body(dkim::Canonicalization::simple, ""), "\r\n");
    EXPECT_EQ(dkim::canonical_body(dkim::Canonicalization::relaxed, ""), "");
    EXPECT_EQ(dkim::canonical_body(dkim::Canonicalization::simple, "\r\n\r\n"), "\r\n");
    EXPECT_EQ(dkim::canonical_body(dkim::Canonicalization::relaxed, " \r\n\t\r\n"), "");
    // A line of WSP is empty only for relaxed.
    EXPECT_EQ(dkim::canonical_body(dkim::Canonicalization::simple, "a\r\n \r\n"), "a\r\n \r\n");
    EXPECT_EQ(dkim::canonical_body(dkim::Canonicalization::relaxed, "a\r\n \r\n"), "a\r\n");
    // Empty lines inside stay; a last line without CRLF gets one.
    EXPECT_EQ(dkim::canonical_body(dkim::Canonicalization::relaxed, "a\r\n\r\nb"), "a\r\n\r\nb\r\n");
    EXPECT_EQ(dkim::canonical_body(dkim::Canonicalization::simple, "a\r\n\r\nb"), "a\r\n\r\nb\r\n");
    // WSP runs inside a line and at the end of header values.
    EXPECT_EQ(dkim::canonical_body(dkim::Canonicalization::relaxed, "x  \t y \t\r\n"), "x y\r\n");
    EXPECT_EQ(dkim::canonical_header(dkim::Canonicalization::relaxed, "SUBJECT:\t  two\r\n  words \t"),
              "subject:two words\r\n");
    EXPECT_EQ(dkim::canonical_header(dkim::Canonicalization::relaxed, "Empty:"), "empty:\r\n");
}

// RFC 8463 Appendix A: both algorithms are deterministic, so the same d=, s=, t=, i=, h= give
// the printed bh= and b= exactly. (RFC 6376 Appendix A's own signature does not verify, a known
// erratum; only its canonicalization example, above, is used.)
TEST(DkimSign, Rfc8463ExampleEd25519) {
    const auto header = dkim::sign(
        rfc_message, {{"football.example.com", "brisbane", dkim::Algorithm::ed25519_sha256, rfc_ed25519_pem}},
        rfc_options());
    EXPECT_EQ(tag_value(header, "bh"), rfc_bh);
    EXPECT_EQ(tag_value(header, "b"), rfc_ed25519_b);
    EXPECT_EQ(tag_value(header, "h"), "from:to:subject:date:message-id:from:subject:date");
}

TEST(DkimSign, Rfc8463ExampleRsa) {
    const auto header =
        dkim::sign(rfc_message, {{"football.example.com", "test", dkim::Algorithm::rsa_sha256, rfc_rsa_pem}},
                   rfc_options());
    EXPECT_EQ(tag_value(header, "bh"), rfc_bh);
    EXPECT_EQ(tag_value(header, "b"), rfc_rsa_b);
}

TEST(DkimVerify, Rfc8463SignedMessagePasses) {
    const auto lookup = lookup_in({{"brisbane._domainkey.football.example.com", rfc_ed25519_record},
                                   {"test._domainkey.football.example.com", rfc_rsa_record}});
    const auto results = dkim::verify(std::string(rfc_signatures) + rfc_message, lookup);
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[0].status, dkim::VerifyStatus::pass);
    EXPECT_EQ(results[0].selector, "brisbane");
    EXPECT_EQ(results[1].status, dkim::VerifyStatus::pass);
    EXPECT_EQ(results[1].domain, "football.example.com");
}

TEST(DkimVerify, OpenDkimSignaturePasses) {
    const auto lookup = lookup_in({{"bench._domainkey.example.com", opendkim_record}});
    EXPECT_EQ(statuses(opendkim_message, lookup),
              (std::vector<dkim::VerifyStatus>{dkim::VerifyStatus::pass}));
    std::string changed = opendkim_message;
    changed.replace(changed.find("opendkim preflight"), 8, "OpenDKIM");
    EXPECT_EQ(statuses(changed, lookup),
              (std::vector<dkim::VerifyStatus>{dkim::VerifyStatus::fail_signature}));
}

TEST(DkimKeys, Rfc8463KeysGiveThePublishedRecords) {
    const auto ed = dkim::key_from_pem(rfc_ed25519_pem);
    EXPECT_EQ(ed.algorithm, dkim::Algorithm::ed25519_sha256);
    EXPECT_EQ(dkim::txt_record(ed.algorithm, ed.public_b64), rfc_ed25519_record);
    EXPECT_EQ(dkim::rsa_bits(ed), 0);
    const auto rsa = dkim::key_from_pem(rfc_rsa_pem);
    EXPECT_EQ(dkim::txt_record(rsa.algorithm, rsa.public_b64), rfc_rsa_record);
    EXPECT_EQ(dkim::rsa_bits(rsa), 1024);
    EXPECT_NE(rsa.private_pem.find("-----BEGIN PRIVATE KEY-----"), std::string::npos); // re-encoded as PKCS#8
}

TEST(DkimKeys, GenerateAndReload) {
    const auto ed = dkim::generate_key(dkim::Algorithm::ed25519_sha256);
    EXPECT_EQ(dkim::key_from_pem(ed.private_pem).public_b64, ed.public_b64);
    EXPECT_EQ(ed.public_b64.size(), 44u);
    const auto rsa = dkim::generate_key(dkim::Algorithm::rsa_sha256, 2048);
    EXPECT_EQ(dkim::rsa_bits(rsa), 2048);
    EXPECT_EQ(dkim::key_from_pem(rsa.private_pem).public_b64, rsa.public_b64);
    EXPECT_THROW(dkim::generate_key(dkim::Algorithm::rsa_sha256, 512), std::invalid_argument);
    EXPECT_THROW(dkim::generate_key(dkim::Algorithm::rsa_sha256, 4096), std::invalid_argument);
    EXPECT_THROW(dkim::key_from_pem("not a key"), std::invalid_argument);
}

TEST(DkimKeys, ParseKeyRecord) {
    const auto ed = dkim::parse_key_record(rfc_ed25519_record);
    ASSERT_TRUE(ed);
    EXPECT_EQ(ed->algorithm, dkim::Algorithm::ed25519_sha256);
    EXPECT_EQ(ed->public_b64, "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    EXPECT_FALSE(ed->testing);
    const auto plain = dkim::parse_key_record("p=AAAA; t=y:s");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->algorithm, dkim::Algorithm::rsa_sha256);
    EXPECT_TRUE(plain->testing);
    const auto revoked = dkim::parse_key_record("v=DKIM1; k=rsa; p=");
    ASSERT_TRUE(revoked);
    EXPECT_TRUE(revoked->public_b64.empty());
    EXPECT_FALSE(dkim::parse_key_record("v=spf1 -all"));
    EXPECT_FALSE(dkim::parse_key_record("v=DKIM2; p=AAAA"));
    EXPECT_FALSE(dkim::parse_key_record("k=rsa; v=DKIM1; p=AAAA")); // v= must come first
    EXPECT_FALSE(dkim::parse_key_record("v=DKIM1; k=dsa; p=AAAA"));
    EXPECT_FALSE(dkim::parse_key_record("v=DKIM1; k=rsa"));
    EXPECT_FALSE(dkim::parse_key_record("v=DKIM1; h=sha1; p=AAAA"));
    EXPECT_FALSE(dkim::parse_key_record("v=DKIM1; p=AAAA; p=BBBB"));
}

class DkimRoundTrip : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        ed_ = new dkim::KeyPair(dkim::generate_key(dkim::Algorithm::ed25519_sha256));
        rsa_ = new dkim::KeyPair(dkim::generate_key(dkim::Algorithm::rsa_sha256, 1024));
    }
    static void TearDownTestSuite() {
        delete ed_;
        delete rsa_;
    }
    static std::vector<dkim::SigningKey> keys() {
        return {{"example.org", "ed", dkim::Algorithm::ed25519_sha256, ed_->private_pem},
                {"example.org", "rsa", dkim::Algorithm::rsa_sha256, rsa_->private_pem}};
    }
    static dkim::KeyLookup lookup() {
        return lookup_in(
            {{"ed._domainkey.example.org", dkim::txt_record(ed_->algorithm, ed_->public_b64)},
             {"rsa._domainkey.example.org", dkim::txt_record(rsa_->algorithm, rsa_->public_b64)}});
    }
    static std::string signed_message(const std::string& message, const dkim::SignOptions& options = {}) {
        return dkim::sign(message, keys(), options) + message;
    }
    static inline const std::string message = "From: Alice <alice@example.org>\r\n"
                                              "To: bob@example.net,\r\n\tcarol@example.net\r\n"
                                              "Subject: Hello\r\n"
                                              "Date: Wed, 02 Dec 2026 06:00:00 +0000\r\n"
                                              "Message-ID: <1@example.org>\r\n"
                                              "X-Unsigned: anything\r\n"
                                              "\r\n"
                                              "Hello  Bob,\r\n\r\nsee you.\r\n\r\n";
    static inline dkim::KeyPair* ed_ = nullptr;
    static inline dkim::KeyPair* rsa_ = nullptr;
};

using Statuses = std::vector<dkim::VerifyStatus>;
constexpr auto pass = dkim::VerifyStatus::pass;

TEST_F(DkimRoundTrip, SignThenVerifyPasses) {
    EXPECT_EQ(statuses(signed_message(message), lookup()), (Statuses{pass, pass}));
    for (auto hc : {dkim::Canonicalization::simple, dkim::Canonicalization::relaxed})
        for (auto bc : {dkim::Canonicalization::simple, dkim::Canonicalization::relaxed}) {
            dkim::SignOptions o;
            o.header_c = hc;
            o.body_c = bc;
            o.timestamp = 1796191200;
            o.expiration = 1796191200 + 86400;
            o.identity = "alice@mail.example.org";
            EXPECT_EQ(statuses(signed_message(message, o), lookup()), (Statuses{pass, pass}));
        }
}

TEST_F(DkimRoundTrip, ChangesAreCaught) {
    const std::string signed_ = signed_message(message);
    std::string body = signed_;
    body.replace(body.find("see you."), 8, "see you!");
    EXPECT_EQ(statuses(body, lookup()),
              (Statuses{dkim::VerifyStatus::fail_body_hash, dkim::VerifyStatus::fail_body_hash}));
    std::string subject = signed_;
    subject.replace(subject.find("Subject: Hello"), 14, "Subject: Hellp");
    EXPECT_EQ(statuses(subject, lookup()),
              (Statuses{dkim::VerifyStatus::fail_signature, dkim::VerifyStatus::fail_signature}));
    // Over-signing: a second From (or a Reply-To the message lacked) breaks the signature.
    std::string from = signed_;
    from.insert(from.find("From: Alice"), "From: Mallory <m@example.org>\r\n");
    EXPECT_EQ(statuses(from, lookup()),
              (Statuses{dkim::VerifyStatus::fail_signature, dkim::VerifyStatus::fail_signature}));
    std::string reply_to = signed_;
    reply_to.insert(reply_to.find("X-Unsigned"), "Reply-To: m@example.org\r\n");
    EXPECT_EQ(statuses(reply_to, lookup()),
              (Statuses{dkim::VerifyStatus::fail_signature, dkim::VerifyStatus::fail_signature}));
    // An unsigned header may change; relaxed canonicalization forgives whitespace.
    std::string unsigned_ = signed_;
    unsigned_.replace(unsigned_.find("X-Unsigned: anything"), 20, "X-Unsigned: other");
    unsigned_.replace(unsigned_.find("Hello  Bob"), 10, "Hello \tBob");
    EXPECT_EQ(statuses(unsigned_, lookup()), (Statuses{pass, pass}));
}

// RFC 6376 §5.4.2: with h=from:x-tag the bottom X-Tag is signed, the top one is not.
TEST_F(DkimRoundTrip, InstancesAreTakenFromTheBottom) {
    const std::string two = "From: a@example.org\r\nX-Tag: top\r\nX-Tag: bottom\r\n\r\nbody\r\n";
    dkim::SignOptions o;
    o.headers = {"From", "X-Tag"};
    o.oversign = false;
    const std::string signed_ = dkim::sign(two, keys(), o) + two;
    EXPECT_EQ(statuses(signed_, lookup()), (Statuses{pass, pass}));
    std::string top = signed_;
    top.replace(top.find("X-Tag: top"), 10, "X-Tag: new");
    EXPECT_EQ(statuses(top, lookup()), (Statuses{pass, pass}));
    std::string bottom = signed_;
    bottom.replace(bottom.find("X-Tag: bottom"), 13, "X-Tag: botton");
    EXPECT_EQ(statuses(bottom, lookup()),
              (Statuses{dkim::VerifyStatus::fail_signature, dkim::VerifyStatus::fail_signature}));
}

TEST_F(DkimRoundTrip, KeysThatDoNotServe) {
    const std::string signed_ = signed_message(message);
    EXPECT_EQ(statuses(signed_, lookup_in({})),
              (Statuses{dkim::VerifyStatus::no_key, dkim::VerifyStatus::no_key}));
    const auto revoked =
        lookup_in({{"ed._domainkey.example.org", "v=DKIM1; k=ed25519; p="},
                   {"rsa._domainkey.example.org", dkim::txt_record(ed_->algorithm, ed_->public_b64)}});
    EXPECT_EQ(statuses(signed_, revoked), (Statuses{dkim::VerifyStatus::no_key, dkim::VerifyStatus::no_key}));
    // Another RSA key: the signature does not verify.
    const auto other = dkim::key_from_pem(rfc_rsa_pem);
    const auto wrong =
        lookup_in({{"ed._domainkey.example.org", dkim::txt_record(ed_->algorithm, ed_->public_b64)},
                   {"rsa._domainkey.example.org", dkim::txt_record(other.algorithm, other.public_b64)}});
    EXPECT_EQ(statuses(signed_, wrong), (Statuses{pass, dkim::VerifyStatus::fail_signature}));
    EXPECT_EQ(statuses("DKIM-Signature: v=1; a=rsa-sha1; d=x; s=y; h=from; bh=; b=\r\n" + message, lookup()),
              (Statuses{dkim::VerifyStatus::bad_signature_header}));
}

TEST_F(DkimRoundTrip, HeaderListAndFolding) {
    const auto header = dkim::sign(message, keys(), {});
    const auto first = header.substr(0, header.find("\r\nDKIM-Signature:"));
    // Present names once per instance plus once; absent ones once (the null string).
    EXPECT_EQ(tag_value(first, "h"),
              "from:from:to:to:cc:subject:subject:date:date:message-id:message-id:reply-to:"
              "mime-version:content-type:content-transfer-encoding:list-unsubscribe:"
              "list-unsubscribe-post:in-reply-to:references:sender");
    EXPECT_EQ(tag_value(first, "h").find("x-unsigned"), std::string::npos);
    EXPECT_EQ(header.rfind("DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.org;", 0),
              0u);
    std::size_t start = 0;
    while (start < header.size()) {
        const auto end = header.find("\r\n", start);
        ASSERT_NE(end, std::string::npos);
        EXPECT_LE(end - start, 78u) << header.substr(start, end - start);
        if (start > 0 && header.compare(start, 15, "DKIM-Signature:") != 0) {
            EXPECT_EQ(header[start], ' ');
        }
        start = end + 2;
    }
    EXPECT_NE(tag_value(first, "t"), "0");
    EXPECT_EQ(first.find("t="), std::string::npos); // timestamp 0: no t=
}

TEST_F(DkimRoundTrip, BadInputsAreRefused) {
    using dkim::Algorithm;
    const auto ed = keys()[0];
    EXPECT_THROW(dkim::sign("From: a@b\r\nno separator", {ed}, {}), std::invalid_argument);
    EXPECT_THROW(dkim::sign("From: a@b\r\nno colon\r\n\r\nbody\r\n", {ed}, {}), std::invalid_argument);
    // Header sections a verifier would parse differently once a DKIM-Signature is above them.
    for (const char* header : {" Folded: first\r\nFrom: a@b\r\n", "Fr om: x\r\nFrom: a@b\r\n",
                               "From: a@b\r\nX-\x01: y\r\n", "From: a@b\nc\r\n", "From: a@b\rc\r\n"})
        EXPECT_THROW(dkim::sign(std::string(header) + "\r\nbody\r\n", {ed}, {}), std::invalid_argument)
            << header;
    EXPECT_NO_THROW(dkim::sign("From : a@b\r\nSubject: x\r\n\tfolded\r\n\r\nbody\r\n", {ed}, {}));
    EXPECT_THROW(dkim::sign(message, {{"example.org", "x", Algorithm::rsa_sha256, ed.private_pem}}, {}),
                 std::invalid_argument);
    EXPECT_THROW(dkim::sign(message, {{"example.org", "x", Algorithm::rsa_sha256, "junk"}}, {}),
                 std::invalid_argument);
    EXPECT_THROW(dkim::sign(message, {{"example.org", "a;b", Algorithm::ed25519_sha256, ed.private_pem}}, {}),
                 std::invalid_argument);
    EXPECT_THROW(dkim::sign(message, {{"", "x", Algorithm::ed25519_sha256, ed.private_pem}}, {}),
                 std::invalid_argument);
    dkim::SignOptions no_from;
    no_from.headers = {"To", "Subject"};
    EXPECT_THROW(dkim::sign(message, {ed}, no_from), std::invalid_argument);
    dkim::SignOptions bad_name;
    bad_name.headers = {"From", "Bad Name"};
    EXPECT_THROW(dkim::sign(message, {ed}, bad_name), std::invalid_argument);
    dkim::SignOptions identity;
    identity.identity = "alice@example.com";
    EXPECT_THROW(dkim::sign(message, {ed}, identity), std::invalid_argument);
    identity.identity = "alice@badexample.org";
    EXPECT_THROW(dkim::sign(message, {ed}, identity), std::invalid_argument);
    dkim::SignOptions expiry;
    expiry.timestamp = 100;
    expiry.expiration = 100;
    EXPECT_THROW(dkim::sign(message, {ed}, expiry), std::invalid_argument);
    EXPECT_EQ(dkim::sign(message, {}, {}), "");
}
