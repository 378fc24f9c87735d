// How the process's descriptor limit is shared out: every SMTP session, HTTP connection and
// outbound delivery is a descriptor, and so are the spool's open files, SQLite and the resolver.
// The listeners' connection limits are capped so that the total stays below RLIMIT_NOFILE:
// beyond a cap a client gets a refusal (421 4.7.0, 503), never an accept that cannot happen.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace mailpush::app {

struct DescriptorDemand {
    unsigned smtp = 0, http = 0, admin = 0; // the configured max_connections
    unsigned deliveries = 0;                // [delivery] max_deliveries
    unsigned spool_writers = 0;
};

struct DescriptorBudget {
    unsigned smtp = 0, http = 0, admin = 0; // the max_connections to use
    std::uint64_t reserved = 0;             // kept for everything else
    bool capped = false;                    // some limit is below its configured value
};

// Descriptors kept apart from the listeners: standard streams and logs, the databases (several
// connections, each with its WAL and index), the resolver's sockets, the event loop's own, the
// spool's directories and the master key.
inline constexpr unsigned kFixedDescriptors = 128;

// The limits that fit in `limit` descriptors (pure). The reserve is the fixed part, the spool
// writers' open files (one group commit each), and two per delivery (the attempt's connection and
// one kept in the connection cache). HTTP gets at most a quarter of what is left, the admin
// listener a sixteenth, SMTP the rest. nullopt: fewer than 64 would be left for the listeners.
std::optional<DescriptorBudget> fit_descriptors(std::uint64_t limit, const DescriptorDemand& demand);

// Raises the soft RLIMIT_NOFILE to the hard limit (at most fs.nr_open); returns the soft limit
// now in force.
std::uint64_t raise_descriptor_limit();

} // namespace mailpush::app
