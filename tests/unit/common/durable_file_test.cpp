#include "mailpush/common/durable_file.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace mailpush::common;

namespace {
class DurableFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "mailpush-durable-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir = tmpl;
    }
    void TearDown() override { fs::remove_all(dir); }

    static std::string read(const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        std::ostringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    static unsigned mode_of(const fs::path& p) {
        struct stat st {};
        ::stat(p.c_str(), &st);
        return st.st_mode & 0777;
    }
    fs::path dir;
};
} // namespace

TEST_F(DurableFileTest, WritesReplacesAndLeavesNoTemporaryFile) {
    const auto path = dir / "envid.next";
    EXPECT_FALSE(write_file_durably(path, "100\n"));
    EXPECT_EQ(read(path), "100\n");
    EXPECT_EQ(mode_of(path), 0600u);
    EXPECT_FALSE(write_file_durably(path, std::string(100'000, 'x')));
    EXPECT_EQ(read(path).size(), 100'000u);
    EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST_F(DurableFileTest, ModeAndTemporaryNameAreTheCallersChoice) {
    const auto path = dir / "1.example.org.eml";
    const auto old = ::umask(022);
    EXPECT_FALSE(write_file_durably(path, "body", {0644, "", ".1.example.org.eml.tmp"}));
    ::umask(old);
    EXPECT_EQ(read(path), "body");
    EXPECT_EQ(mode_of(path), 0644u);
    EXPECT_FALSE(fs::exists(dir / ".1.example.org.eml.tmp"));
}

TEST_F(DurableFileTest, ReportsTheErrorAndCleansUp) {
    const auto ec = write_file_durably(dir / "missing" / "file", "x");
    EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
    fs::create_directory(dir / "taken");
    fs::create_directory(dir / "taken" / "sub"); // a non-empty directory cannot be replaced by a file
    EXPECT_TRUE(write_file_durably(dir / "taken", "x"));
    EXPECT_FALSE(fs::exists(dir / "taken.tmp"));
}

TEST_F(DurableFileTest, PiecesForBatches) {
    const auto path = dir / "piece";
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    EXPECT_TRUE(write_all(fd, "abc"));
    start_writeback(fd);
    EXPECT_TRUE(sync_data(fd));
    ::close(fd);
    EXPECT_EQ(read(path), "abc");
    EXPECT_TRUE(sync_directory(dir));
    EXPECT_FALSE(sync_directory(dir / "absent"));
    EXPECT_FALSE(sync_data(-1));
}
