#include "mailpush/api/admin_auth.hpp"

#include "mailpush/common/random.hpp"
#include "mailpush/common/security_log.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace mailpush::api {

AdminAuth::AdminAuth(std::vector<std::string> tokens, AdminAuthLimits limits)
    : tokens_(std::move(tokens))
    , limiter_(limits.failures, limits.window) {
    std::erase_if(tokens_, [](const std::string& t) { return t.empty(); });
}

bool AdminAuth::matches(const std::string& authorization) const {
    static constexpr std::string_view kScheme = "Bearer ";
    if (!authorization.starts_with(kScheme)) return false;
    const std::string_view given = std::string_view(authorization).substr(kScheme.size());
    bool found = false;
    for (const auto& token : tokens_) // every token is compared: the time does not say which matched
        found |= given.size() == token.size() && CRYPTO_memcmp(given.data(), token.data(), token.size()) == 0;
    return found;
}

AdminAuth::Verdict AdminAuth::check(const std::string& authorization, const std::string& client,
                                    const std::string& path) {
    const auto now = FailureLimiter::Clock::now();
    std::unique_lock lock(mutex_);
    if (limiter_.blocked(client, now)) {
        lock.unlock();
        common::security_event({"admin_throttled", client, "", "too many failed admin logins; " + path});
        return Verdict::throttled;
    }
    if (matches(authorization)) return Verdict::allowed;
    limiter_.record_failure(client, now);
    lock.unlock();
    const std::string detail = (authorization.empty() ? "no token; " : "wrong token; ") + path;
    common::security_event({"admin_unauthorized", client, "", detail});
    return Verdict::unauthorized;
}

namespace {
std::string read_token(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("admin.token_file: cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    std::string token = text.str();
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back())))
        token.pop_back();
    if (token.size() < 32)
        throw std::runtime_error("admin.token_file: " + path + " holds no token of at least 32 characters");
    return token;
}
} // namespace

std::string ensure_admin_token_file(const std::string& path) {
    namespace fs = std::filesystem;
    if (fs::exists(path)) return read_token(path);
    if (fs::path(path).has_parent_path()) fs::create_directories(fs::path(path).parent_path());
    const std::string token = common::random_hex(32);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST) return read_token(path); // another start made it first
        throw std::runtime_error("admin.token_file: cannot create " + path + ": " + std::strerror(errno));
    }
    const std::string line = token + "\n";
    const bool written =
        ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!written) {
        fs::remove(path);
        throw std::runtime_error("admin.token_file: cannot write " + path);
    }
    return token;
}

} // namespace mailpush::api
