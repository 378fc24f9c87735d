#include "mailpush/common/password_hash.hpp"

#include "mailpush/common/base64.hpp"
#include "mailpush/common/random.hpp"
#include "mailpush/common/strings.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <argon2.h>
#include <stdexcept>
#include <vector>

namespace mailpush::common {
namespace {
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr std::uint32_t kParallelism = 1; // one check is one thread of the CPU pool
constexpr std::string_view kArgon2Prefix = "$argon2id$";
constexpr std::string_view kPbkdf2Prefix = "pbkdf2-sha256$";

std::string pbkdf2(std::string_view password, std::string_view salt, unsigned iterations) {
    std::string out(kHashBytes, '\0');
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                          reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                          static_cast<int>(iterations), EVP_sha256(), static_cast<int>(out.size()),
                          reinterpret_cast<unsigned char*>(out.data())) != 1)
        throw std::runtime_error("PBKDF2 failed");
    return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (;;) {
        const auto pos = s.find(sep, start);
        parts.push_back(s.substr(start, pos - start));
        if (pos == std::string_view::npos) return parts;
        start = pos + 1;
    }
}

bool verify_pbkdf2(std::string_view password, std::string_view stored) {
    const auto parts = split(stored, '$');
    if (parts.size() != 4) return false;
    const auto iterations = parse_u64(parts[1]);
    const auto salt = base64_decode(parts[2]);
    const auto expected = base64_decode(parts[3]);
    if (!iterations || *iterations == 0 || *iterations > 100'000'000 || !salt || !expected ||
        expected->size() != kHashBytes)
        return false;
    const auto actual = pbkdf2(password, *salt, static_cast<unsigned>(*iterations));
    return CRYPTO_memcmp(actual.data(), expected->data(), kHashBytes) == 0;
}

std::string argon2_parameters(const PasswordCost& cost) {
    return fmt::format("$argon2id$v={}$m={},t={},p={}$", static_cast<int>(ARGON2_VERSION_NUMBER),
                       cost.memory_kib, cost.iterations, kParallelism);
}
} // namespace

std::string hash_password(std::string_view password, const PasswordCost& cost) {
    const std::string salt = random_bytes(kSaltBytes);
    std::string encoded(argon2_encodedlen(cost.iterations, cost.memory_kib, kParallelism,
                                          static_cast<std::uint32_t>(salt.size()), kHashBytes, Argon2_id),
                        '\0');
    const int rc = argon2id_hash_encoded(cost.iterations, cost.memory_kib, kParallelism, password.data(),
                                         password.size(), salt.data(), salt.size(), kHashBytes,
                                         encoded.data(), encoded.size());
    if (rc != ARGON2_OK)
        throw std::runtime_error(std::string("Argon2id failed: ") + argon2_error_message(rc));
    encoded.resize(encoded.find('\0'));
    return encoded;
}

bool verify_password(std::string_view password, std::string_view stored) {
    if (stored.starts_with(kPbkdf2Prefix)) return verify_pbkdf2(password, stored);
    if (!stored.starts_with(kArgon2Prefix)) return false;
    const std::string encoded(stored); // libargon2 wants a C string
    return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

bool needs_rehash(std::string_view stored, const PasswordCost& cost) {
    return !stored.starts_with(argon2_parameters(cost));
}

std::string hash_password_pbkdf2(std::string_view password, unsigned iterations) {
    const std::string salt = random_bytes(kSaltBytes);
    return std::string(kPbkdf2Prefix) + std::to_string(iterations) + "$" + base64_encode(salt) + "$" +
           base64_encode(pbkdf2(password, salt, iterations));
}

} // namespace mailpush::common
