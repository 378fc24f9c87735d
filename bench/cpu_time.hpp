// CPU time per call for the cost benchmarks: this thread's CPU time, the figure that matters for
// capacity, and one that other load on the machine does not inflate the way it inflates wall time.
#pragma once

#include <ctime>

namespace mailpush::bench {

inline double cpu_us() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

template <typename F>
double us_per_call(int rounds, F&& f) {
    const double start = cpu_us();
    for (int i = 0; i < rounds; ++i)
        f();
    return (cpu_us() - start) / rounds;
}

} // namespace mailpush::bench
