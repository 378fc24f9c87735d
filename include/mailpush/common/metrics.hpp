// Process-wide metrics in the Prometheus text format (SPEC §7 "Monitoring"): counters and
// histograms updated lock-free, gauges read by callback at scrape time. Families and series
// are created on first use (under a mutex) and never removed, so references stay valid: hot
// paths look a series up once and keep the reference.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace mailpush::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
public:
    void add(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

class Histogram {
public:
    explicit Histogram(std::vector<double> upper_bounds); // seconds, ascending
    void observe(double seconds) noexcept;
    std::string render(const std::string& name, const std::string& labels) const;

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_; // one per bound, plus +Inf
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_micros_{0};
};

class Registry {
public:
    Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
    Histogram& histogram(const std::string& name, const std::string& help, const Labels& labels = {});
    // Read at every scrape (queue depth and the like). One per name.
    void gauge(const std::string& name, const std::string& help, std::function<double()> read);
    std::string render() const;

private:
    struct Family {
        std::string help, type;
        std::map<std::string, std::unique_ptr<Counter>> counters;     // key: rendered labels
        std::map<std::string, std::unique_ptr<Histogram>> histograms; // key: rendered labels
        std::function<double()> gauge;
    };
    Family& family(const std::string& name, const std::string& help, const char* type);
    mutable std::mutex mutex_;
    std::map<std::string, Family> families_;
};

Registry& registry();

// `{a="x",b="y"}` with Prometheus escaping; "" for no labels.
std::string render_labels(const Labels& labels);

} // namespace mailpush::metrics
