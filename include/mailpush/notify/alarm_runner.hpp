// Alarm rules at work (docs/monitoring.md): once a minute, each enabled rule whose period has
// finished is evaluated (store::advance_alarm) over its account's monitor counts, its progress
// saved, and each change to or from ALARM sent as a `Monitor:Alarm` event to the account's
// notification target (the pull queue or its HTTP push), if the target takes that type.
// Driven by the notifier's thread; the clock is a parameter.
#pragma once

#include "mailpush/notify/notify_log.hpp"
#include "mailpush/store/store.hpp"

#include <cstdint>
#include <string>

namespace mailpush::notify {

// The event's key=value text (docs/monitoring.md); pure.
std::string alarm_event_text(const store::AlarmRule& rule, const store::AlarmTransition& t,
                             int utc_offset_minutes);

class AlarmRunner {
public:
    AlarmRunner(store::Store& store, NotifyLog& log, int utc_offset_minutes)
        : store_(store)
        , log_(log)
        , offset_(utc_offset_minutes) {}
    // Does the work due at `now_ms` (nothing until the next minute's evaluation is due).
    // Returns the events sent.
    std::size_t run(std::int64_t now_ms);

private:
    store::Store& store_;
    NotifyLog& log_;
    int offset_;
    std::int64_t next_ms_ = 0;
};

} // namespace mailpush::notify
