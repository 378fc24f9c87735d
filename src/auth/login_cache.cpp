#include "mailpush/auth/login_cache.hpp"

#include "mailpush/common/random.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace mailpush::auth {

LoginCache::LoginCache(std::size_t capacity)
    : capacity_(capacity)
    , secret_(common::random_bytes(32)) {}

std::string LoginCache::digest(std::string_view stored_hash, std::string_view password) const {
    std::string input(stored_hash);
    input += '\0';
    input += password;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), md, &len);
    return std::string(reinterpret_cast<const char*>(md), len);
}

bool LoginCache::matches(std::string_view address, std::string_view stored_hash,
                         std::string_view password) const {
    const auto d = digest(stored_hash, password);
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(std::string(address));
    return it != entries_.end() && it->second.size() == d.size() &&
           CRYPTO_memcmp(it->second.data(), d.data(), d.size()) == 0;
}

void LoginCache::remember(std::string_view address, std::string_view stored_hash, std::string_view password) {
    auto d = digest(stored_hash, password);
    std::lock_guard lock(mutex_);
    if (entries_.size() >= capacity_) entries_.clear(); // crude but bounded; misses only cost a slow hash
    entries_[std::string(address)] = std::move(d);
}

} // namespace mailpush::auth
