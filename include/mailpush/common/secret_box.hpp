// Encryption at rest for secrets the server must read back (access key secrets): AES-256-GCM
// under a 32-byte master key kept in its own file (mode 0600), made on first use.
#pragma once

#include "mailpush/common/random.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace mailpush::common {

class SecretBox {
public:
    // Loads the key from `key_file`, creating it (random, 0600) if missing. Throws on I/O
    // errors or a key file of the wrong size.
    explicit SecretBox(const std::string& key_file);
    // Key given directly (tests).
    static SecretBox from_key(std::string_view key32);

    // "v1:" + base64(nonce[12] | ciphertext | tag[16])
    std::string seal(std::string_view plaintext) const;
    // nullopt if the text was not sealed under this key or was altered.
    std::optional<std::string> open(std::string_view sealed) const;

private:
    SecretBox() = default;
    std::string key_;
};

} // namespace mailpush::common
