#include "mailpush/dns/answers.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <set>
#include <vector>

namespace mailpush::dns {
namespace {
using Bytes = std::vector<unsigned char>;

void name(Bytes& b, std::initializer_list<const char*> labels) {
    for (auto l : labels) {
        b.push_back(static_cast<unsigned char>(std::strlen(l)));
        b.insert(b.end(), l, l + std::strlen(l));
    }
    b.push_back(0);
}
void u16(Bytes& b, unsigned v) {
    b.push_back(static_cast<unsigned char>(v >> 8));
    b.push_back(static_cast<unsigned char>(v));
}
void u32(Bytes& b, unsigned v) {
    u16(b, v >> 16);
    u16(b, v & 0xffff);
}

// A response for "a.test MX" with the given answers appended by `answers`.
Bytes response(unsigned ancount, const std::function<void(Bytes&)>& answers) {
    Bytes b{0x12, 0x34, 0x81, 0x80};
    u16(b, 1);
    u16(b, ancount);
    u16(b, 0);
    u16(b, 0);
    name(b, {"a", "test"});
    u16(b, 15);
    u16(b, 1);
    answers(b);
    return b;
}

void mx_rr(Bytes& b, unsigned ttl, unsigned pref, std::initializer_list<const char*> exchange) {
    b.push_back(0xC0); // pointer to the question name at offset 12
    b.push_back(12);
    u16(b, 15);
    u16(b, 1);
    u32(b, ttl);
    Bytes rdata;
    u16(rdata, pref);
    name(rdata, exchange);
    u16(b, static_cast<unsigned>(rdata.size()));
    b.insert(b.end(), rdata.begin(), rdata.end());
}
} // namespace

TEST(DnsAnswers, ParsesMxWithCompressionAndMinimumTtl) {
    const auto b = response(2, [](Bytes& x) {
        mx_rr(x, 300, 20, {"mx2", "a", "test"});
        mx_rr(x, 60, 10, {"mx1", "a", "test"});
    });
    const auto p = parse_answer(b.data(), b.size(), 15);
    ASSERT_TRUE(p);
    ASSERT_EQ(p->mx.size(), 2u);
    EXPECT_EQ(p->mx[1].name, "mx1.a.test");
    EXPECT_EQ(p->mx[1].preference, 10);
    EXPECT_EQ(p->min_ttl, 60u);
    EXPECT_FALSE(p->null_mx);
}

TEST(DnsAnswers, NullMx) {
    const auto b = response(1, [](Bytes& x) { mx_rr(x, 300, 0, {}); });
    const auto p = parse_answer(b.data(), b.size(), 15);
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->null_mx);
}

TEST(DnsAnswers, EveryTruncationIsRejectedOrSafe) {
    const auto b = response(1, [](Bytes& x) { mx_rr(x, 300, 10, {"mx", "a", "test"}); });
    for (std::size_t n = 0; n < b.size(); ++n) {
        const auto p = parse_answer(b.data(), n, 15);
        EXPECT_TRUE(!p || p->mx.empty()) << n;
    }
}

TEST(DnsAnswers, CompressionLoopIsRejected) {
    Bytes b = response(1, [](Bytes& x) {
        x.push_back(0xC0);
        x.push_back(static_cast<unsigned char>(x.size() - 1)); // points at itself
    });
    EXPECT_FALSE(parse_answer(b.data(), b.size(), 15));
}

TEST(DnsAnswers, MxOrderSortsAndShufflesEqualPreferences) {
    std::mt19937 rng(1);
    std::set<std::string> firsts;
    for (int i = 0; i < 64; ++i) {
        auto o = order_mx({{"c", 20}, {"a", 10}, {"b", 10}}, rng);
        ASSERT_EQ(o.size(), 3u);
        EXPECT_EQ(o[2].name, "c");
        firsts.insert(o[0].name);
    }
    EXPECT_EQ(firsts, (std::set<std::string>{"a", "b"}));
}

} // namespace mailpush::dns
