#include "mailpush/common/password_hash.hpp"

#include "mailpush/common/base64.hpp"
#include "mailpush/common/random.hpp"
#include "mailpush/common/strings.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <stdexcept>
#include <vector>

namespace mailpush::common {
namespace {
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

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
} // namespace

std::string hash_password(std::string_view password, unsigned iterations) {
    const std::string salt = random_bytes(kSaltBytes);
    return "pbkdf2-sha256$" + std::to_string(iterations) + "$" + base64_encode(salt) + "$" +
           base64_encode(pbkdf2(password, salt, iterations));
}

bool verify_password(std::string_view password, std::string_view stored) {
    const auto parts = split(stored, '$');
    if (parts.size() != 4 || parts[0] != "pbkdf2-sha256") return false;
    const auto iterations = parse_u64(parts[1]);
    const auto salt = base64_decode(parts[2]);
    const auto expected = base64_decode(parts[3]);
    if (!iterations || *iterations == 0 || *iterations > 100'000'000 || !salt || !expected ||
        expected->size() != kHashBytes)
        return false;
    const auto actual = pbkdf2(password, *salt, static_cast<unsigned>(*iterations));
    return CRYPTO_memcmp(actual.data(), expected->data(), kHashBytes) == 0;
}

} // namespace mailpush::common
