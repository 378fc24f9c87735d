// The open pixel and click redirect: what a token asks for, the replies, and what gets recorded,
// over a real store (its tracking key) and a real recorder on a delivery log in a temp dir.
#include "../delivery/tracking_fixture.hpp"

#include "mailpush/api/tracking_endpoints.hpp"
#include "mailpush/store/store.hpp"
#include "mailpush/store/tracking_keys.hpp"

#include <gtest/gtest.h>

using namespace mailpush;
using namespace mailpush::api;

namespace {
const tracking::TrackingKey kKey{3, std::string(32, 'k')};

std::string header(const ApiResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return "";
}
} // namespace

TEST(TrackingAsk, APixelTokenOnOAndALinkTokenOnC) {
    const auto pixel = tracking::make_token(kKey, {9, 1, 0});
    const auto link = tracking::make_token(kKey, {9, 1, 2});
    const auto open = read_tracking_ask("/o/" + pixel, {kKey});
    ASSERT_TRUE(open);
    EXPECT_EQ(open->kind, tracking::HitKind::open);
    EXPECT_EQ(open->claim, (tracking::TokenClaim{9, 1, 0}));
    const auto click = read_tracking_ask("/c/" + link, {kKey});
    ASSERT_TRUE(click);
    EXPECT_EQ(click->kind, tracking::HitKind::click);
    EXPECT_EQ(click->claim.link, 2u);
    EXPECT_FALSE(read_tracking_ask("/c/" + pixel, {kKey})); // the pixel's token leads nowhere
    EXPECT_FALSE(read_tracking_ask("/o/" + link, {kKey}));
}

TEST(TrackingAsk, ForgedTamperedOrMisplacedTokensAskForNothing) {
    auto token = tracking::make_token(kKey, {9, 1, 2});
    EXPECT_FALSE(read_tracking_ask("/c/" + token, {{4, kKey.secret}})); // unknown key id
    EXPECT_FALSE(read_tracking_ask("/c/" + token, {{3, std::string(32, 'x')}}));
    token[token.size() / 2] = token[token.size() / 2] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(read_tracking_ask("/c/" + token, {kKey}));
    EXPECT_FALSE(read_tracking_ask("/c/", {kKey}));
    EXPECT_FALSE(read_tracking_ask("/x/" + tracking::make_token(kKey, {9, 1, 2}), {kKey}));
    EXPECT_FALSE(read_tracking_ask("/c/" + tracking::make_token(kKey, {9, 1, 2}) + "/more", {kKey}));
}

TEST(VerifyingKeys, ARetiredKeyVerifiesUntilItsRetentionEnds) {
    const std::vector<store::TrackingKeyRecord> records{{2, "new", 100, 0}, {1, "old", 10, 100}};
    EXPECT_EQ(verifying_keys(records, 150, std::chrono::seconds(100)).size(), 2u);
    const auto later = verifying_keys(records, 200, std::chrono::seconds(100));
    ASSERT_EQ(later.size(), 1u);
    EXPECT_EQ(later.front().id, 2u);
}

TEST(TrackingReplies, ThePixelIsA43ByteGifNoCacheKeeps) {
    const auto r = pixel_reply();
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.content_type, "image/gif");
    EXPECT_EQ(r.body.size(), 43u);
    EXPECT_TRUE(r.body.starts_with("GIF89a"));
    EXPECT_NE(header(r, "Cache-Control").find("no-store"), std::string::npos);
    EXPECT_EQ(header(r, "Pragma"), "no-cache");
}

TEST(TrackingReplies, TheRedirectCarriesNoRawControlSpaceOrNonAsciiByte) {
    const auto r = redirect_reply("https://shop.test/a b?q=1&x=\xe4\xb8\xad\r\nSet-Cookie: x");
    EXPECT_EQ(r.status, 302u);
    EXPECT_EQ(header(r, "Location"), "https://shop.test/a%20b?q=1&x=%E4%B8%AD%0D%0ASet-Cookie:%20x");
    EXPECT_EQ(redirect_reply("https://shop.test/p?a=1#top").headers.back().second,
              "https://shop.test/p?a=1#top");
}

TEST(RequestHost, FromTheHostHeaderOrTheAbsoluteFormLowerCasedWithoutPort) {
    const auto with = [](std::string target, std::string host) {
        return request_host({"GET", std::move(target), "", "", {{"hOsT", std::move(host)}}, "192.0.2.1"});
    };
    EXPECT_EQ(with("/o/x", "DMTrace.Example.COM:80"), "dmtrace.example.com");
    EXPECT_EQ(with("/o/x", "dmtrace.example.com."), "dmtrace.example.com");
    EXPECT_EQ(with("/o/x", "[::1]:8443"), "::1");
    EXPECT_EQ(with("/o/x", ""), "");
    EXPECT_EQ(with("http://user@Other.Example:81/o/x", "dmtrace.example.com"), "other.example");
}

class TrackingEndpointsTest : public ::testing::Test {
protected:
    test_support::TempDir temp{"mailpush-track-endpoints"};
    std::unique_ptr<store::Store> store;
    test_support::TrackingLog log;
    std::unique_ptr<delivery::TrackingRecorder> recorder = log.recorder();
    std::int64_t now_ms = test_support::kDay1Ms + 60'000;
    std::unique_ptr<TrackingEndpoints> endpoints;
    tracking::TrackingKey key;

    void SetUp() override {
        store::StoreLimits limits;
        limits.password_cost = {64, 1};
        store = std::make_unique<store::Store>((temp.path() / "s.db").string(), limits, "cn-hangzhou");
        const auto& newest = store->directory()->tracking_keys.front();
        key = {newest.id, newest.secret};
        endpoints = std::make_unique<TrackingEndpoints>(*store, *recorder, std::chrono::hours(24),
                                                        [this] { return now_ms; });
        log.log.store_links(7, {"https://shop.test/sale?id=1", "https://shop.test/b"}, test_support::kDay1Ms);
        log.log.store_links({{9, {"https://tenant-a.test/offer"}, "dmtrace.a.test"}}, test_support::kDay1Ms);
        log.sent(9, 0, "r@x.test", test_support::kDay1Ms);
        log.sent(7, 0, "r@x.test", test_support::kDay1Ms);
    }
    ApiRequest request(const std::string& method, const std::string& path,
                       const std::string& host = "") const {
        ApiRequest r{method, path, "", "", {{"User-Agent", "Mozilla/5.0"}}, "192.0.2.9"};
        if (!host.empty()) r.headers.emplace_back("Host", host);
        return r;
    }
};

TEST_F(TrackingEndpointsTest, APixelIsAnsweredAtOnceAndItsOpenRecorded) {
    const auto reply = endpoints->answer_now(request("GET", "/o/" + tracking::make_token(key, {7, 0, 0})));
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 200u);
    EXPECT_EQ(reply->content_type, "image/gif");
    EXPECT_EQ(recorder->flush(), 1u);
}

TEST_F(TrackingEndpointsTest, AClickIsRedirectedToTheStoredUrlAfterOneReadThenFromTheCache) {
    const auto r =
        request("GET", "/c/" + tracking::make_token(key, {7, 0, 1}) + "?ignored=https://evil.test");
    EXPECT_FALSE(endpoints->answer_now(r)); // not cached yet: a read, on a pool
    const auto reply = endpoints->answer(r);
    EXPECT_EQ(reply.status, 302u);
    EXPECT_EQ(header(reply, "Location"), "https://shop.test/sale?id=1");
    const auto cached = endpoints->answer_now(r);
    ASSERT_TRUE(cached);
    EXPECT_EQ(header(*cached, "Location"), "https://shop.test/sale?id=1");
    EXPECT_EQ(recorder->flush(), 2u);
}

TEST_F(TrackingEndpointsTest, AnAbsoluteFormTargetIsThePathOfItsUrl) {
    const auto token = tracking::make_token(key, {7, 0, 0});
    EXPECT_EQ(endpoints->answer(request("GET", "http://dmtrace.example.com/o/" + token + "?a=b")).status,
              200u);
    EXPECT_EQ(recorder->flush(), 1u);
}

TEST_F(TrackingEndpointsTest, ARedirectAnswersOnlyOnTheHostItsLinksWereMailedOnOrTheServicesOwn) {
    const auto path = "/c/" + tracking::make_token(key, {9, 0, 1});
    // Another tenant's tracking name, no Host at all, and a name not known yet: nothing.
    for (const std::string host : {"dmtrace.victim.test", "", "mp.test:8443"})
        EXPECT_EQ(endpoints->answer(request("GET", path, host)).status, 404u) << host;
    EXPECT_EQ(recorder->pending(), 0u);
    const auto reply = endpoints->answer(request("GET", path, "DMTRACE.a.test"));
    EXPECT_EQ(reply.status, 302u);
    EXPECT_EQ(header(reply, "Location"), "https://tenant-a.test/offer");
    endpoints->set_service_names("https://mp.test:8443", "mx.test");
    for (const std::string host : {"mp.test", "MX.test:80", "localhost:8080", "127.0.0.1:8080"})
        EXPECT_EQ(endpoints->answer(request("GET", path, host)).status, 302u) << host;
    EXPECT_EQ(endpoints->answer_now(request("GET", path, "dmtrace.victim.test"))->status, 404u); // cached too
    EXPECT_EQ(recorder->flush(), 5u);
}

TEST_F(TrackingEndpointsTest, AnUnknownLinkOrAForgedTokenGets404AndRecordsNothing) {
    const auto unknown_link = endpoints->answer(request("GET", "/c/" + tracking::make_token(key, {7, 0, 3})));
    EXPECT_EQ(unknown_link.status, 404u);
    const auto unknown_message =
        endpoints->answer(request("GET", "/c/" + tracking::make_token(key, {8, 0, 1})));
    EXPECT_EQ(unknown_message.status, 404u);
    const tracking::TrackingKey forged{key.id, std::string(32, 'f')};
    const auto forged_reply =
        endpoints->answer(request("GET", "/o/" + tracking::make_token(forged, {7, 0, 0})));
    EXPECT_EQ(forged_reply.status, 404u);
    EXPECT_EQ(forged_reply.body, "Link not valid\n");
    EXPECT_EQ(recorder->pending(), 0u);
}

TEST_F(TrackingEndpointsTest, HeadIsAnsweredButRecordsNothingAndOtherMethodsGet405) {
    EXPECT_EQ(endpoints->answer(request("HEAD", "/o/" + tracking::make_token(key, {7, 0, 0}))).status, 200u);
    EXPECT_EQ(endpoints->answer(request("HEAD", "/c/" + tracking::make_token(key, {7, 0, 2}))).status, 302u);
    EXPECT_EQ(recorder->pending(), 0u);
    const auto post = endpoints->answer(request("POST", "/o/" + tracking::make_token(key, {7, 0, 0})));
    EXPECT_EQ(post.status, 405u);
    EXPECT_EQ(header(post, "Allow"), "GET, HEAD");
}

TEST_F(TrackingEndpointsTest, ATokenOfARotatedKeyStillWorksUntilItsRetentionEnds) {
    const auto old_token = tracking::make_token(key, {7, 0, 0});
    store->rotate_tracking_key(now_ms / 1000);
    EXPECT_EQ(endpoints->answer(request("GET", "/o/" + old_token)).status, 200u);
    now_ms += 25LL * 3600 * 1000; // past the endpoints' 24 h retention
    EXPECT_EQ(endpoints->answer(request("GET", "/o/" + old_token)).status, 404u);
}
