// The config loader fed arbitrary text: bad input must be a ConfigError (one line, naming the
// file), never a crash or another exception.
#include "fuzz_check.hpp"

#include "mailpush/config/config.hpp"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        (void)mailpush::config::parse_config(text, "fuzz.toml");
    } catch (const mailpush::config::ConfigError& e) {
        const std::string what = e.what();
        if (what.find('\n') != std::string::npos) std::fprintf(stderr, "ConfigError: %s\n", what.c_str());
        FUZZ_CHECK(what.starts_with("fuzz.toml"));
        FUZZ_CHECK(what.find('\n') == std::string::npos);
    }
    return 0;
}
