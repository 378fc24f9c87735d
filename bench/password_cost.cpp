// mailpush-password-cost: the time of one password check at the configured hash costs, for the
// ADR (docs/adr/0005-password-hashing.md) and docs/performance.md. Usage:
//   mailpush-password-cost [checks] [argon2_memory_kib] [argon2_iterations]
#include "mailpush/common/password_hash.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

namespace {
using mailpush::common::PasswordCost;

double ms_per_check(const std::string& stored, int checks) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < checks; ++i)
        if (!mailpush::common::verify_password("Secret2026ab", stored)) std::abort();
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    return took.count() / checks;
}
} // namespace

int main(int argc, char** argv) {
    const int checks = argc > 1 ? std::atoi(argv[1]) : 20;
    PasswordCost cost;
    if (argc > 2) cost.memory_kib = static_cast<std::uint32_t>(std::strtoul(argv[2], nullptr, 10));
    if (argc > 3) cost.iterations = static_cast<std::uint32_t>(std::strtoul(argv[3], nullptr, 10));
    if (checks <= 0 || cost.memory_kib < 8 || cost.iterations < 1) {
        std::fprintf(stderr,
                     "usage: mailpush-password-cost [checks] [argon2_memory_kib] [argon2_iterations]\n");
        return 2;
    }
    std::printf("scheme parameters ms_per_check (%d checks, one thread)\n", checks);
    std::printf("argon2id m=%u KiB t=%u p=1 %.1f\n", cost.memory_kib, cost.iterations,
                ms_per_check(mailpush::common::hash_password("Secret2026ab", cost), checks));
    for (const unsigned iterations : {100'000u, 600'000u})
        std::printf("pbkdf2-sha256 iterations=%u %.1f\n", iterations,
                    ms_per_check(mailpush::common::hash_password_pbkdf2("Secret2026ab", iterations), checks));
    return 0;
}
