// The X-AliDM-Trace reader: the tag and the two tracking flags, and nothing from a bad value.
#include "mailpush/smtp/trace_header.hpp"

#include <gtest/gtest.h>

namespace mailpush::smtp {

TEST(TraceHeader, TagAndTrackingFromTheControlHeader) {
    // base64 of {"TagName":"promo","OpenTrace":"1"}
    const auto t = parse_trace_header("eyJUYWdOYW1lIjoicHJvbW8iLCJPcGVuVHJhY2UiOiIxIn0=");
    EXPECT_EQ(t.tag, "promo");
    EXPECT_TRUE(t.open_trace);
    EXPECT_FALSE(t.link_trace);
    EXPECT_EQ(parse_trace_header("not base64!").tag, "");
    EXPECT_EQ(parse_trace_header("W10=").tag, ""); // "[]": not an object
}

TEST(TraceHeader, LinkTraceAsNumberAndFoldedValue) {
    // base64 of {"OpenTrace":0,"LinkTrace":1}, folded over two lines
    const auto t = parse_trace_header("eyJPcGVuVHJhY2UiOjAsIkxp\r\n bmtUcmFjZSI6MX0=");
    EXPECT_FALSE(t.open_trace);
    EXPECT_TRUE(t.link_trace);
    EXPECT_FALSE(parse_trace_header("eyJPcGVuVHJhY2UiOiJ5ZXMifQ==").open_trace); // "yes" is not "1"
}

} // namespace mailpush::smtp
