#include "mailpush/common/secret_box.hpp"

#include "mailpush/common/base64.hpp"
#include "mailpush/common/durable_file.hpp"
#include "mailpush/common/random.hpp"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace mailpush::common {
namespace {
constexpr std::size_t kKeyBytes = 32, kNonceBytes = 12, kTagBytes = 16;
constexpr std::string_view kPrefix = "v1:";

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

std::string read_or_create_key(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        const std::string key = random_bytes(kKeyBytes);
        if (const auto ec = common::write_file_durably(path, key))
            throw std::runtime_error("cannot write " + path + ": " + ec.message());
        return key;
    }
    if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    std::string key(kKeyBytes + 1, '\0');
    const auto n = ::read(fd, key.data(), key.size());
    ::close(fd);
    if (n != static_cast<ssize_t>(kKeyBytes))
        throw std::runtime_error(path + ": a master key file holds exactly 32 bytes");
    key.resize(kKeyBytes);
    return key;
}
} // namespace

SecretBox::SecretBox(const std::string& key_file)
    : key_(read_or_create_key(key_file)) {}

SecretBox SecretBox::from_key(std::string_view key32) {
    if (key32.size() != kKeyBytes) throw std::invalid_argument("SecretBox key must be 32 bytes");
    SecretBox box;
    box.key_ = std::string(key32);
    return box;
}

std::string SecretBox::seal(std::string_view plaintext) const {
    const std::string nonce = random_bytes(kNonceBytes);
    std::string out = nonce;
    out.resize(kNonceBytes + plaintext.size() + kTagBytes);
    auto* ct = reinterpret_cast<unsigned char*>(out.data()) + kNonceBytes;
    CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    int len = 0;
    if (!ctx ||
        EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                           reinterpret_cast<const unsigned char*>(key_.data()),
                           reinterpret_cast<const unsigned char*>(nonce.data())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), ct, &len, reinterpret_cast<const unsigned char*>(plaintext.data()),
                          static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), ct + len, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, ct + plaintext.size()) != 1)
        throw std::runtime_error("AES-GCM encryption failed");
    return std::string(kPrefix) + base64_encode(out);
}

std::optional<std::string> SecretBox::open(std::string_view sealed) const {
    if (!sealed.starts_with(kPrefix)) return std::nullopt;
    auto raw = base64_decode(sealed.substr(kPrefix.size()));
    if (!raw || raw->size() < kNonceBytes + kTagBytes) return std::nullopt;
    const std::size_t n = raw->size() - kNonceBytes - kTagBytes;
    const auto* bytes = reinterpret_cast<const unsigned char*>(raw->data());
    std::string plain(n, '\0');
    CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    int len = 0;
    std::string tag = raw->substr(kNonceBytes + n);
    if (!ctx ||
        EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                           reinterpret_cast<const unsigned char*>(key_.data()), bytes) != 1 ||
        EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len,
                          bytes + kNonceBytes, static_cast<int>(n)) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &len) != 1)
        return std::nullopt;
    return plain;
}

} // namespace mailpush::common
