#include "mailpush/auth/password.hpp"

#include "mailpush/common/base64.hpp"
#include "mailpush/common/random.hpp"
#include "mailpush/common/strings.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <set>
#include <stdexcept>
#include <vector>

namespace mailpush::auth {
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

std::optional<std::string> check_password_policy(std::string_view pw, std::string_view previous_hash) {
    if (pw.size() < 10 || pw.size() > 20) return "the password must be 10 to 20 characters long";
    std::set<char> digits, letters;
    std::size_t n_digits = 0, n_letters = 0;
    bool upper = false, lower = false;
    for (char c : pw) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 33 || u > 126)
            return "the password may contain only printable ASCII characters without blanks";
        if (c >= '0' && c <= '9') {
            ++n_digits;
            digits.insert(c);
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            ++n_letters;
            letters.insert(c);
            upper = upper || (c >= 'A' && c <= 'Z');
            lower = lower || (c >= 'a' && c <= 'z');
        }
    }
    if (n_digits < 2 || n_letters < 2) return "the password needs at least 2 digits and 2 letters";
    if (!upper || !lower) return "the password needs digits, upper-case and lower-case letters";
    if (digits.size() < 2) return "the digits must not all be the same character";
    if (letters.size() < 2) return "the letters must not all be the same character";
    if (!previous_hash.empty() && verify_password(pw, previous_hash))
        return "the password must differ from the previous one";
    return std::nullopt;
}

std::string hash_password(std::string_view password, unsigned iterations) {
    const std::string salt = common::random_bytes(kSaltBytes);
    return "pbkdf2-sha256$" + std::to_string(iterations) + "$" + common::base64_encode(salt) + "$" +
           common::base64_encode(pbkdf2(password, salt, iterations));
}

bool verify_password(std::string_view password, std::string_view stored) {
    const auto parts = split(stored, '$');
    if (parts.size() != 4 || parts[0] != "pbkdf2-sha256") return false;
    const auto iterations = common::parse_u64(parts[1]);
    const auto salt = common::base64_decode(parts[2]);
    const auto expected = common::base64_decode(parts[3]);
    if (!iterations || *iterations == 0 || *iterations > 100'000'000 || !salt || !expected ||
        expected->size() != kHashBytes)
        return false;
    const auto actual = pbkdf2(password, *salt, static_cast<unsigned>(*iterations));
    return CRYPTO_memcmp(actual.data(), expected->data(), kHashBytes) == 0;
}

} // namespace mailpush::auth
