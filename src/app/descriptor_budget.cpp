#include "descriptor_budget.hpp"

#include "mailpush/spool/options.hpp"

#include <algorithm>
#include <fstream>
#include <sys/resource.h>

namespace mailpush::app {

std::optional<DescriptorBudget> fit_descriptors(std::uint64_t limit, const DescriptorDemand& demand) {
    DescriptorBudget out;
    // A writer's batch holds kFilesPerWriter files, one more while it copies a grown envelope's
    // body, and the writer's segment.
    out.reserved = kFixedDescriptors + std::uint64_t{demand.spool_writers} * (spool::kFilesPerWriter + 2) +
                   2 * std::uint64_t{demand.deliveries};
    constexpr std::uint64_t kMinListeners = 64;
    if (limit < out.reserved + kMinListeners) return std::nullopt;
    const std::uint64_t left = limit - out.reserved;
    const auto cap = [](unsigned want, std::uint64_t most) {
        return static_cast<unsigned>(std::min<std::uint64_t>(want, std::max<std::uint64_t>(most, 1)));
    };
    out.http = cap(demand.http, left / 4);
    out.admin = cap(demand.admin, left / 16);
    out.smtp = cap(demand.smtp, left - out.http - out.admin);
    out.capped = out.http < demand.http || out.admin < demand.admin || out.smtp < demand.smtp;
    return out;
}

std::uint64_t raise_descriptor_limit() {
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) != 0) return 0;
    rlim_t most = files.rlim_max;
    if (most == RLIM_INFINITY) { // the kernel's own ceiling applies
        std::uint64_t nr_open = 1'048'576;
        std::ifstream("/proc/sys/fs/nr_open") >> nr_open;
        most = static_cast<rlim_t>(nr_open);
    }
    if (files.rlim_cur == RLIM_INFINITY || files.rlim_cur < most) {
        rlimit raised = files;
        raised.rlim_cur = most;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) files = raised;
    }
    return files.rlim_cur == RLIM_INFINITY ? most : files.rlim_cur;
}

} // namespace mailpush::app
