// Remembers recent successful password checks so repeated logins skip the slow hash (SPEC §6).
// Thread-safe. Keys are (address, stored hash): changing the password invalidates by itself.
// Only a keyed digest of the password is kept, never the password.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mailpush::auth {

class LoginCache {
public:
    explicit LoginCache(std::size_t capacity = 100'000);

    bool matches(std::string_view address, std::string_view stored_hash, std::string_view password) const;
    void remember(std::string_view address, std::string_view stored_hash, std::string_view password);

private:
    std::string digest(std::string_view stored_hash, std::string_view password) const;

    std::size_t capacity_;
    std::string secret_; // per-process random key for the digest
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::string> entries_; // address -> digest
};

} // namespace mailpush::auth
