#include "mailpush/common/metrics.hpp"

#include <cmath>
#include <cstdio>

namespace mailpush::metrics {
namespace {
// Latencies from a fraction of a millisecond (a commit) to minutes (a slow remote server).
const std::vector<double> kLatencyBounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                         0.5,   1,      2.5,   5,    10,    30,   60};

std::string number(double v) {
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", v); // enough for bounds, sums in microseconds and gauges
    return buf;
}

// Adds one more label to a rendered label set: `{a="x"}` + le -> `{a="x",le="0.5"}`.
std::string with_label(const std::string& labels, const std::string& extra) {
    if (labels.empty()) return "{" + extra + "}";
    return labels.substr(0, labels.size() - 1) + "," + extra + "}";
}
} // namespace

std::string render_labels(const Labels& labels) {
    if (labels.empty()) return "";
    std::string out = "{";
    for (const auto& [k, v] : labels) {
        if (out.size() > 1) out += ',';
        out += k + "=\"";
        for (const char c : v) {
            if (c == '\\' || c == '"') out += '\\';
            if (c == '\n') {
                out += "\\n";
                continue;
            }
            out += c;
        }
        out += '"';
    }
    return out + "}";
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds))
    , buckets_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
    for (std::size_t i = 0; i <= bounds_.size(); ++i)
        buckets_[i].store(0);
}

void Histogram::observe(double seconds) noexcept {
    std::size_t i = 0;
    while (i < bounds_.size() && seconds > bounds_[i])
        ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    if (seconds > 0)
        sum_micros_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

std::string Histogram::render(const std::string& name, const std::string& labels) const {
    std::string out;
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        cumulative += buckets_[i].load(std::memory_order_relaxed);
        const std::string le = i < bounds_.size() ? number(bounds_[i]) : "+Inf";
        out += name + "_bucket" + with_label(labels, "le=\"" + le + "\"") + " " + std::to_string(cumulative) +
               "\n";
    }
    out += name + "_sum" + labels + " " + number(static_cast<double>(sum_micros_.load()) / 1e6) + "\n";
    out += name + "_count" + labels + " " + std::to_string(count_.load()) + "\n";
    return out;
}

Registry::Family& Registry::family(const std::string& name, const std::string& help, const char* type) {
    auto& f = families_[name];
    if (f.type.empty()) {
        f.help = help;
        f.type = type;
    }
    return f;
}

Counter& Registry::counter(const std::string& name, const std::string& help, const Labels& labels) {
    std::lock_guard lock(mutex_);
    auto& slot = family(name, help, "counter").counters[render_labels(labels)];
    if (!slot) slot = std::make_unique<Counter>();
    return *slot;
}

Histogram& Registry::histogram(const std::string& name, const std::string& help, const Labels& labels) {
    std::lock_guard lock(mutex_);
    auto& slot = family(name, help, "histogram").histograms[render_labels(labels)];
    if (!slot) slot = std::make_unique<Histogram>(kLatencyBounds);
    return *slot;
}

void Registry::gauge(const std::string& name, const std::string& help, std::function<double()> read) {
    std::lock_guard lock(mutex_);
    family(name, help, "gauge").gauge = std::move(read);
}

std::string Registry::render() const {
    // Gauges are read without the registry's lock: a gauge may take a lock of its own (the
    // notification outbox's) whose holder may be registering a counter at that moment.
    std::vector<std::pair<std::string, std::function<double()>>> gauges;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [name, f] : families_)
            if (f.gauge) gauges.emplace_back(name, f.gauge);
    }
    std::map<std::string, double, std::less<>> readings;
    for (const auto& [name, read] : gauges)
        readings[name] = read();
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& [name, f] : families_) {
        out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + f.type + "\n";
        for (const auto& [labels, c] : f.counters)
            out += name + labels + " " + std::to_string(c->value()) + "\n";
        for (const auto& [labels, h] : f.histograms)
            out += h->render(name, labels);
        if (const auto it = readings.find(name); it != readings.end())
            out += name + " " + number(it->second) + "\n";
    }
    return out;
}

Registry& registry() {
    static Registry r;
    return r;
}

} // namespace mailpush::metrics
