// Known-answer tests: the expected values were produced by the official SDK's own signing code
// (@alicloud/openapi-core OpenApiUtil.getAuthorization / getRPCSignature) for these inputs.
#include "mailpush/common/url.hpp"
#include "mailpush/openapi/signature.hpp"

#include <gtest/gtest.h>

using namespace mailpush::openapi;

namespace {
const std::string kBody =
    "AccountName=news%40example.com&Subject=Hello%20%E4%BD%A0%E5%A5%BD&ToAddress=bob%40example.org";

SignedRequest sdk_request() {
    SignedRequest r;
    r.method = "POST";
    r.path = "/";
    r.query = {{"TagId", "7"}, {"Keyword", "a b*c"}};
    r.headers = {{"Host", "127.0.0.1:8080"},
                 {"x-acs-action", "SingleSendMail"},
                 {"x-acs-version", "2015-11-23"},
                 {"x-acs-date", "2026-11-23T10:00:00Z"},
                 {"x-acs-signature-nonce", "nonce-1"},
                 {"x-acs-content-sha256", "48ef39d2cd65073145a71e55433ba2c9313387e7aad5cb7c0ac8eb4f56c16a5e"},
                 {"Content-Type", "application/x-www-form-urlencoded"},
                 {"User-Agent", "x"}};
    r.body = kBody;
    return r;
}
} // namespace

TEST(Signature, PayloadHashMatchesSdk) {
    EXPECT_EQ(sha256_hex(kBody), "48ef39d2cd65073145a71e55433ba2c9313387e7aad5cb7c0ac8eb4f56c16a5e");
}

TEST(Signature, Acs3MatchesSdk) {
    const auto auth = parse_acs3_authorization(
        "ACS3-HMAC-SHA256 "
        "Credential=MPAKtestkey,SignedHeaders=content-type;host;x-acs-action;x-acs-content-sha256;"
        "x-acs-date;x-acs-signature-nonce;x-acs-version,Signature="
        "f99b011f5e1734863f5988c134287eb531c2a983d9ab0437c1668e68590efb20");
    ASSERT_TRUE(auth);
    EXPECT_EQ(auth->algorithm, "ACS3-HMAC-SHA256");
    EXPECT_EQ(auth->key_id, "MPAKtestkey");
    ASSERT_EQ(auth->signed_headers.size(), 7u);
    EXPECT_EQ(acs3_signature(sdk_request(), auth->signed_headers, sha256_hex(kBody), "testsecret"),
              auth->signature);
    // Any change to a signed part changes the signature.
    auto changed = sdk_request();
    changed.query[0].second = "8";
    EXPECT_NE(acs3_signature(changed, auth->signed_headers, sha256_hex(kBody), "testsecret"),
              auth->signature);
    EXPECT_NE(acs3_signature(sdk_request(), auth->signed_headers, sha256_hex(kBody), "othersecret"),
              auth->signature);
}

TEST(Signature, RpcHmacSha1MatchesSdk) {
    const Params params{{"Action", "SingleSendMail"},        {"Format", "json"},
                        {"Version", "2015-11-23"},           {"Timestamp", "2026-11-23T10:00:00Z"},
                        {"SignatureNonce", "nonce-2"},       {"SignatureMethod", "HMAC-SHA1"},
                        {"SignatureVersion", "1.0"},         {"AccessKeyId", "MPAKtestkey"},
                        {"AccountName", "news@example.com"}, {"Subject", "Hello 你好"},
                        {"ToAddress", "bob@example.org"}};
    EXPECT_EQ(rpc_signature("POST", params, "testsecret"), "wtOU17pqjyikgQ5VZ8jDCChtERw=");
    EXPECT_NE(rpc_signature("GET", params, "testsecret"), "wtOU17pqjyikgQ5VZ8jDCChtERw=");
}

TEST(Signature, MalformedAuthorizationHeadersAreRefused) {
    EXPECT_FALSE(parse_acs3_authorization(""));
    EXPECT_FALSE(parse_acs3_authorization("ACS3-HMAC-SHA256"));
    EXPECT_FALSE(parse_acs3_authorization("ACS3-HMAC-SHA256 Credential=a,Signature=b")); // no SignedHeaders
    EXPECT_FALSE(parse_acs3_authorization("ACS3-HMAC-SHA256 SignedHeaders=host,Signature=b")); // no key
    EXPECT_FALSE(parse_acs3_authorization("ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host,garbage"));
}

TEST(Signature, TimestampsParseOnlyInTheSdkShape) {
    EXPECT_EQ(parse_utc_timestamp("1970-01-01T00:00:10Z"), 10);
    EXPECT_EQ(parse_utc_timestamp("2026-11-23T10:00:00Z"), 1795428000);
    EXPECT_FALSE(parse_utc_timestamp("2026-11-23 10:00:00"));
    EXPECT_FALSE(parse_utc_timestamp("2026-13-23T10:00:00Z"));
    EXPECT_FALSE(parse_utc_timestamp("2026-11-23T10:00:00+08:00"));
    EXPECT_FALSE(parse_utc_timestamp("yesterday"));
}

TEST(Url, PercentEncodingIsRfc3986) {
    using mailpush::common::percent_encode;
    EXPECT_EQ(percent_encode("a b*c~'()!"), "a%20b%2Ac~%27%28%29%21");
    EXPECT_EQ(percent_encode("你"), "%E4%BD%A0");
    const auto form = mailpush::common::parse_form("a=1&b=x+y%20z&&c&d=%zz");
    ASSERT_EQ(form.size(), 4u);
    EXPECT_EQ(form[1].second, "x y z");
    EXPECT_EQ(form[2].first, "c");
    EXPECT_EQ(form[3].second, "%zz"); // a malformed escape is kept as it is
}
