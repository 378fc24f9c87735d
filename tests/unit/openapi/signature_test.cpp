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

TEST(Signature, Acs3CanonicalQueryEncodesKeysAndValues) {
    // Unreserved bytes kept, all others %XX upper case, space %20 (never '+'), UTF-8 bytes each.
    EXPECT_EQ(acs3_canonical_query({{"K", "a b+c&d=e%f~_-.*!'()"}}),
              "K=a%20b%2Bc%26d%3De%25f~_-.%2A%21%27%28%29");
    EXPECT_EQ(acs3_canonical_query({{"Subject", "你好"}}), "Subject=%E4%BD%A0%E5%A5%BD");
    EXPECT_EQ(acs3_canonical_query({{"Empty", ""}, {"A", "1"}}), "A=1&Empty=");
    EXPECT_EQ(acs3_canonical_query({}), "");
    // Sorted by the encoded key, byte order.
    EXPECT_EQ(acs3_canonical_query({{"b", "2"}, {"B", "1"}, {"a", "3"}}), "B=1&a=3&b=2");
}

TEST(Signature, Acs3DifferentParameterSetsNeverShareACanonicalQuery) {
    // With keys left unencoded both sets gave "a=1&b=2", so one signature fitted both.
    const Params two{{"a", "1"}, {"b", "2"}};
    const Params one{{"a=1&b", "2"}};
    EXPECT_NE(acs3_canonical_query(two), acs3_canonical_query(one));
    EXPECT_EQ(acs3_canonical_query(one), "a%3D1%26b=2");
    SignedRequest first = sdk_request(), second = sdk_request();
    first.query = two;
    second.query = one;
    const std::vector<std::string> headers{"host", "x-acs-date"};
    EXPECT_NE(acs3_canonical_request(first, headers, "h"), acs3_canonical_request(second, headers, "h"));
    EXPECT_NE(acs3_signature(first, headers, "h", "s"), acs3_signature(second, headers, "h", "s"));
    // Likewise a value cannot carry a separator into a key.
    EXPECT_NE(acs3_canonical_query({{"a", "1=x"}}), acs3_canonical_query({{"a=1", "x"}}));
}

TEST(Signature, RpcStringToSignKeepsParameterSetsApart) {
    EXPECT_NE(rpc_string_to_sign("GET", {{"a", "1"}, {"b", "2"}}),
              rpc_string_to_sign("GET", {{"a=1&b", "2"}}));
    EXPECT_NE(rpc_string_to_sign("GET", {{"a", "1&b=2"}}),
              rpc_string_to_sign("GET", {{"a", "1"}, {"b", "2"}}));
}
