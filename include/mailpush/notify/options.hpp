// The notifier's options: the [notify] keys. The notifier and the pull queue's readers
// receive only this part of the configuration.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace mailpush::notify {

struct NotifierOptions {
    std::chrono::milliseconds poll{250};
    std::chrono::milliseconds push_timeout{10'000};
    std::chrono::milliseconds retry_initial{10'000};
    std::chrono::milliseconds retry_max{600'000};
    std::chrono::milliseconds push_max_lifetime{86'400'000};     // undelivered pushes are dropped after
    std::chrono::milliseconds queue_retention{4 * 86'400'000LL}; // the hosted queue's 4 days
    std::string ca_file;                                         // extra trusted CAs for https targets
    bool allow_private_targets = false; // POSTs to loopback, private, link-local... addresses
    std::size_t batch = 100;            // events per POST
    std::chrono::milliseconds visibility_timeout{30'000}; // a received queue message is hidden this long
};

} // namespace mailpush::notify
