// What one destination may have at once. Plain data.
#pragma once

namespace mailpush::delivery {

struct DestinationLimits {
    unsigned max_connections = 20;
    unsigned max_messages_per_connection = 0; // 0 = the connection cache's default
    double rate_per_second = 0;               // attempt starts; 0 = no spacing
};

} // namespace mailpush::delivery
