#include "mailpush/common/metrics.hpp"

#include <gtest/gtest.h>

using namespace mailpush::metrics;

TEST(Metrics, RendersCountersHistogramsAndGaugesInPrometheusFormat) {
    Registry r;
    r.counter("x_total", "Things", {{"kind", "a\"b\\c\nd"}}).add(3);
    auto& same = r.counter("x_total", "Things", {{"kind", "a\"b\\c\nd"}});
    same.add();
    auto& h = r.histogram("lat_seconds", "Latency");
    h.observe(0.003);
    h.observe(100);
    r.gauge("depth", "Queue depth", [] { return 7.0; });
    const auto text = r.render();
    EXPECT_NE(text.find("# TYPE x_total counter\nx_total{kind=\"a\\\"b\\\\c\\nd\"} 4\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("lat_seconds_bucket{le=\"0.0025\"} 0\n"), std::string::npos) << text;
    EXPECT_NE(text.find("lat_seconds_bucket{le=\"0.005\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("lat_seconds_bucket{le=\"+Inf\"} 2\n"), std::string::npos);
    EXPECT_NE(text.find("lat_seconds_count 2\n"), std::string::npos);
    EXPECT_NE(text.find("lat_seconds_sum 100.003"), std::string::npos);
    EXPECT_NE(text.find("# TYPE depth gauge\ndepth 7\n"), std::string::npos);
}

// A gauge is read without the registry's lock: one that takes the registry (as a gauge waiting on
// a lock whose holder registers a counter would, through that holder) does not deadlock a scrape.
TEST(Metrics, AGaugeMayUseTheRegistryWhileItIsRead) {
    Registry r;
    r.gauge("outbox", "Waiting", [&r] {
        r.counter("seen_total", "Reads").add();
        return 2.0;
    });
    EXPECT_NE(r.render().find("outbox 2\n"), std::string::npos);
    EXPECT_NE(r.render().find("seen_total 2\n"), std::string::npos); // both scrapes read the gauge
}
