#include "mailpush/store/password_policy.hpp"

#include "mailpush/common/password_hash.hpp"

#include <set>

namespace mailpush::store {

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
    if (!previous_hash.empty() && common::verify_password(pw, previous_hash))
        return "the password must differ from the previous one";
    return std::nullopt;
}

} // namespace mailpush::store
