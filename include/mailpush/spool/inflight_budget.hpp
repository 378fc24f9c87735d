// The bytes of message bodies the server holds in memory at once, across every SMTP session
// and API request (`[spool] max_inflight_bytes`). Takers ask before they hold more; a large
// SMTP message that cannot get more is written to the spool's file instead, and new DATA is
// refused with 452 while the budget is spent. Unauthenticated takers (inbound mail, public HTTP
// bodies before their signature is checked) may fill only half of it (`kOpenShare`), so they
// cannot keep authenticated submission out. Thread-safe, lock-free.
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>

namespace mailpush::spool {

class InflightBudget {
public:
    explicit InflightBudget(std::uint64_t limit)
        : limit_(limit) {}
    InflightBudget(const InflightBudget&) = delete;
    InflightBudget& operator=(const InflightBudget&) = delete;

    enum class Share { whole, open }; // open: unauthenticated takers, half the limit
    // Takes `bytes` if they fit under the limit (half of it for an open share).
    bool try_take(std::uint64_t bytes, Share share = Share::whole) {
        const auto ceiling = share == Share::whole ? limit_ : limit_ / 2;
        auto used = used_.load(std::memory_order_relaxed);
        do {
            if (used + bytes > ceiling) return false;
        } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
        return true;
    }
    // Takes `bytes` whatever the limit (bytes already read, bounded by one read per session).
    void take(std::uint64_t bytes) { used_.fetch_add(bytes, std::memory_order_relaxed); }
    void give_back(std::uint64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }
    bool has_room(std::uint64_t bytes, Share share = Share::whole) const {
        return used() + bytes <= (share == Share::whole ? limit_ : limit_ / 2);
    }
    std::uint64_t used() const { return used_.load(std::memory_order_relaxed); }
    std::uint64_t limit() const { return limit_; }

private:
    const std::uint64_t limit_;
    std::atomic<std::uint64_t> used_{0};
};

// A share of the budget held by one session or request; given back when it ends.
class InflightCharge {
public:
    explicit InflightCharge(InflightBudget& budget)
        : budget_(&budget) {}
    InflightCharge(InflightCharge&& o) noexcept
        : budget_(o.budget_)
        , bytes_(std::exchange(o.bytes_, 0)) {}
    InflightCharge& operator=(InflightCharge&&) = delete;
    InflightCharge(const InflightCharge&) = delete;
    ~InflightCharge() { release(); }

    // Holds at least `bytes`, growing in steps of `step`; false if the budget has no room.
    bool cover(std::uint64_t bytes, std::uint64_t step,
               InflightBudget::Share share = InflightBudget::Share::whole) {
        while (bytes_ < bytes) {
            if (!budget_->try_take(step, share)) return false;
            bytes_ += step;
        }
        return true;
    }
    void force(std::uint64_t bytes) { // at least `bytes`, over the limit if need be
        if (bytes_ >= bytes) return;
        budget_->take(bytes - bytes_);
        bytes_ = bytes;
    }
    void release() { budget_->give_back(std::exchange(bytes_, 0)); }
    std::uint64_t bytes() const { return bytes_; }

private:
    InflightBudget* budget_;
    std::uint64_t bytes_ = 0;
};

} // namespace mailpush::spool
