// At most N blocking calls (DNS checks, batch sends) per account at once, so one tenant cannot
// occupy every thread of the API pool. A call over the limit gets no slot (the caller answers
// with a throttling error at once; nothing waits). Thread-safe, no I/O.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace mailpush::openapi {

class AccountSlots {
public:
    explicit AccountSlots(std::size_t per_account)
        : per_account_(per_account) {}

    // Held while the call runs; released when destroyed.
    class Slot {
    public:
        Slot(Slot&& other) noexcept
            : owner_(other.owner_)
            , account_(std::move(other.account_)) {
            other.owner_ = nullptr;
        }
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;
        Slot& operator=(Slot&&) = delete;
        ~Slot() {
            if (owner_) owner_->release(account_);
        }

    private:
        friend class AccountSlots;
        Slot(AccountSlots* owner, std::string account)
            : owner_(owner)
            , account_(std::move(account)) {}
        AccountSlots* owner_;
        std::string account_;
    };

    // A slot, or nullopt when the account already holds `per_account` of them.
    std::optional<Slot> try_take(const std::string& account);
    std::size_t held(const std::string& account);
    std::size_t per_account() const { return per_account_; }

private:
    void release(const std::string& account);

    std::size_t per_account_;
    std::mutex mutex_;
    std::unordered_map<std::string, std::size_t> held_;
};

} // namespace mailpush::openapi
