// DKIM signatures made once per distinct message. The engine delivers one message to several
// destinations (a job each) and, to a receiver without 8BITMIME, its 7-bit form: jobs that sign
// the same bytes with the same keys reuse the DKIM-Signature fields the first one made.
// Bounded (least recently used goes first); an entry older than `max_age_s` is made again, so a
// retry hours later carries a fresh t=. Thread-safe: jobs are prepared on the blocking pool.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace mailpush::delivery {

class SignatureCache {
public:
    SignatureCache(std::size_t capacity, std::int64_t max_age_s);

    // The signature fields stored under `key` if made less than max_age_s before `now_s`, else
    // what `make` returns (stored unless empty: a failed signing is tried again next time).
    std::string get_or_make(const std::string& key, std::int64_t now_s,
                            const std::function<std::string()>& make);

    struct Counts {
        std::uint64_t made = 0, reused = 0;
    };
    Counts counts() const;
    std::size_t size() const;

private:
    struct Entry {
        std::string key, signatures;
        std::int64_t made_s = 0;
    };
    const std::size_t capacity_;
    const std::int64_t max_age_s_;
    mutable std::mutex mutex_;
    std::list<Entry> lru_; // most recently used first
    std::unordered_map<std::string, std::list<Entry>::iterator> index_;
    Counts counts_;
};

} // namespace mailpush::delivery
