#include "mailpush/api/http_limits.hpp"

#include <gtest/gtest.h>

using namespace mailpush::api;

TEST(HttpLimits, EachRouteHasItsBodyLimit) {
    EXPECT_EQ(body_limit(Audience::public_, "/"), 1024u * 1024);
    EXPECT_EQ(body_limit(Audience::public_, "/reply-to/confirm"), 4096u);
    EXPECT_EQ(body_limit(Audience::public_, "/v1/accounts"), 4096u); // not served there
    EXPECT_EQ(body_limit(Audience::admin, "/v1/receiver-lists/x/upload"), 16u * 1024 * 1024);
    EXPECT_EQ(body_limit(Audience::admin, "/"), 4096u);
    EXPECT_EQ(body_limit(Audience::admin, "/metrics"), 4096u);
}

TEST(HttpLimits, LoggedPathsHaveNoQueryNorUserInfo) {
    EXPECT_EQ(loggable_path("/reply-to/confirm?token=secret"), "/reply-to/confirm");
    EXPECT_EQ(loggable_path("http://user:pw@host:8080/v1/accounts?x=1#f"), "/v1/accounts");
    EXPECT_EQ(loggable_path("https://host"), "/");
    EXPECT_EQ(loggable_path("/a#frag"), "/a");
}

TEST(HttpLimits, TheRequestPathOfOriginAndAbsoluteForms) {
    EXPECT_EQ(request_path("/o/x?y#z"), "/o/x");
    EXPECT_EQ(request_path("http://h.example:8080/c/x?y"), "/c/x");
    EXPECT_EQ(request_path("http://h.example?/o/x"), "/"); // the authority ends at the query
    EXPECT_EQ(request_path("http://h.example#/o/x"), "/");
}

TEST(HttpLimits, ConnectionsPerPeerAreCapped) {
    PeerConnections peers(2);
    EXPECT_TRUE(peers.try_add("1.1.1.1"));
    EXPECT_TRUE(peers.try_add("1.1.1.1"));
    EXPECT_FALSE(peers.try_add("1.1.1.1"));
    EXPECT_TRUE(peers.try_add("2.2.2.2"));
    peers.remove("1.1.1.1");
    EXPECT_TRUE(peers.try_add("1.1.1.1"));
}
