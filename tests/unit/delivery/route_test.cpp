#include "mailpush/delivery/route.hpp"

#include <gtest/gtest.h>

using namespace mailpush::delivery;
using Kind = RouteTarget::Kind;

TEST(Route, ParsesTheFourKinds) {
    EXPECT_EQ(parse_route("mx"), (RouteTarget{Kind::mx, "", 25}));
    EXPECT_EQ(parse_route("hold"), (RouteTarget{Kind::hold, "", 25}));
    EXPECT_EQ(parse_route("capture:/tmp/out"), (RouteTarget{Kind::capture, "/tmp/out", 25}));
    EXPECT_EQ(parse_route("smtp://127.0.0.1:2526"), (RouteTarget{Kind::smarthost, "127.0.0.1", 2526}));
}

TEST(Route, SmarthostForms) {
    EXPECT_EQ(parse_route("smtp://[::1]:2525"), (RouteTarget{Kind::smarthost, "::1", 2525}));
    EXPECT_EQ(parse_route("smtp://relay.example.com"),
              (RouteTarget{Kind::smarthost, "relay.example.com", 25}));
    EXPECT_EQ(parse_route("smtp://relay.example.com:587/"),
              (RouteTarget{Kind::smarthost, "relay.example.com", 587}));
    EXPECT_EQ(parse_route("smtp://[2001:db8::25]"), (RouteTarget{Kind::smarthost, "2001:db8::25", 25}));
}

TEST(Route, BadPortsAndShapesAreNotRoutes) {
    for (const char* bad : {"smtp://h:0", "smtp://h:65536", "smtp://h:99999", "smtp://h:abc",
                            "smtp://h:", "smtp://h:-1", "smtp://[::1]:70000", "smtp://", "smtp://user@h:25",
                            "smtp://h:25/x", "smtp://h:25?a=b", "smtp://h#f", "capture:", "bogus", ""})
        EXPECT_FALSE(parse_route(bad).has_value()) << bad;
}

TEST(Route, DestinationKeys) {
    EXPECT_EQ(destination_key({Kind::smarthost, "::1", 2525}, "example.com"), "smtp:::1:2525");
    EXPECT_EQ(destination_key({Kind::capture, "/d", 25}, "example.com"), "capture:/d");
    EXPECT_EQ(destination_key({Kind::hold, "", 25}, "example.com"), "hold");
    EXPECT_EQ(destination_key({Kind::mx, "", 25}, "example.com"), "mx:example.com");
}

TEST(RouteTable, ExactDomainWinsOverStarAndNoMatchIsMx) {
    const RouteTable none({});
    EXPECT_EQ(none.lookup("example.com").kind, Kind::mx);

    const RouteTable t(
        {{"*", "capture:/all"}, {"Example.COM", "smtp://10.0.0.1:2525"}, {"held.test", "hold"}});
    EXPECT_EQ(t.lookup("example.com"), (RouteTarget{Kind::smarthost, "10.0.0.1", 2525}));
    EXPECT_EQ(t.lookup("EXAMPLE.com").kind, Kind::smarthost);
    EXPECT_EQ(t.lookup("held.test").kind, Kind::hold);
    EXPECT_EQ(t.lookup("other.org"), (RouteTarget{Kind::capture, "/all", 25}));
    EXPECT_TRUE(t.invalid().empty());
}

TEST(RouteTable, FirstExactEntryAndLastStarWin) {
    const RouteTable t(
        {{"*", "capture:/first"}, {"a.test", "capture:/a1"}, {"a.test", "capture:/a2"}, {"*", "hold"}});
    EXPECT_EQ(t.lookup("a.test").host, "/a1");
    EXPECT_EQ(t.lookup("b.test").kind, Kind::hold);
}

TEST(RouteTable, AnUnparsableRouteHoldsItsMail) {
    const RouteTable t({{"a.test", "smtp://relay:99999"}, {"*", "mx"}});
    EXPECT_EQ(t.lookup("a.test").kind, Kind::hold);
    EXPECT_EQ(t.lookup("b.test").kind, Kind::mx);
    ASSERT_EQ(t.invalid().size(), 1u);
    EXPECT_EQ(t.invalid()[0], "smtp://relay:99999");
}
