// Which tracking keys still verify (see tracking_keys.hpp). Pure.
#include "mailpush/store/tracking_keys.hpp"

#include <algorithm>

namespace mailpush::store {

bool tracking_key_expired(const TrackingKeyRecord& key, std::int64_t now_s, std::chrono::seconds retention) {
    return key.retired_s != 0 && now_s - key.retired_s >= retention.count();
}

std::vector<TrackingKeyRecord> live_tracking_keys(std::vector<TrackingKeyRecord> keys, std::int64_t now_s,
                                                  std::chrono::seconds retention) {
    std::erase_if(keys,
                  [&](const TrackingKeyRecord& k) { return tracking_key_expired(k, now_s, retention); });
    std::sort(keys.begin(), keys.end(),
              [](const TrackingKeyRecord& a, const TrackingKeyRecord& b) { return a.id > b.id; });
    return keys;
}

} // namespace mailpush::store
