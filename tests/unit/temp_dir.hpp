#pragma once
// A directory of its own for one test: made by mkdtemp under $TMPDIR (or /tmp), so two test
// processes running at once never share a spool, a database or a config file; removed with
// everything in it when the test ends.

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace mailpush::test_support {

class TempDir {
public:
    explicit TempDir(std::string_view prefix = "mailpush-test") {
        const char* tmpdir = std::getenv("TMPDIR");
        const std::filesystem::path base = tmpdir && *tmpdir ? tmpdir : "/tmp";
        std::string pattern = (base / (std::string(prefix) + "-XXXXXX")).string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed under " + base.string());
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored; // a test that failed half-way must not throw from its teardown
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

} // namespace mailpush::test_support
