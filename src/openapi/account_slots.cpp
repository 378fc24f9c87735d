#include "mailpush/openapi/account_slots.hpp"

namespace mailpush::openapi {

std::optional<AccountSlots::Slot> AccountSlots::try_take(const std::string& account) {
    std::lock_guard lock(mutex_);
    auto& count = held_[account];
    if (count >= per_account_) return std::nullopt;
    ++count;
    return Slot(this, account);
}

std::size_t AccountSlots::held(const std::string& account) {
    std::lock_guard lock(mutex_);
    const auto it = held_.find(account);
    return it == held_.end() ? 0 : it->second;
}

void AccountSlots::release(const std::string& account) {
    std::lock_guard lock(mutex_);
    const auto it = held_.find(account);
    if (it != held_.end() && --it->second == 0) held_.erase(it);
}

} // namespace mailpush::openapi
