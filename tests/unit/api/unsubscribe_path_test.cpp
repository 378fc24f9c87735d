#include "mailpush/api/http_limits.hpp"

#include <gtest/gtest.h>

using namespace mailpush::api;

TEST(UnsubscribeLink, TokenNeverLoggedAndBodyIsSmall) {
    EXPECT_EQ(loggable_path("/u/SECRETTOKEN"), "/u/{token}");
    EXPECT_EQ(loggable_path("/o/PIXELTOKEN"), "/o/{token}");
    EXPECT_EQ(loggable_path("http://dmtrace.example.com/c/LINKTOKEN?x=1"), "/c/{token}");
    EXPECT_EQ(loggable_path("https://mail.example/u/SECRETTOKEN?x=1"), "/u/{token}");
    EXPECT_EQ(loggable_path("/used/path"), "/used/path");
    EXPECT_EQ(body_limit(Audience::public_, "/u/abc"), 4096u);
}
