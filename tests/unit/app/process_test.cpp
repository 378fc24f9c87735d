// The process's own decisions: owner-only modes, the privilege plan, the data-dir lock and the
// certificate check of --check-config.
#include "certificate_check.hpp"
#include "data_dir.hpp"
#include "file_modes.hpp"
#include "privileges.hpp"
#include "temp_dir.hpp"

#include "mailpush/net/tls.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sys/stat.h>

namespace mailpush::app {
namespace {
using test_support::TempDir;

TEST(FileModes, GroupAndOtherBitsGo) {
    struct Case {
        mode_t perms;
        bool directory;
        std::optional<mode_t> want;
    };
    const Case cases[] = {
        {0644, false, 0600},  {0600, false, std::nullopt}, {0400, false, std::nullopt}, {0755, false, 0600},
        {0666, false, 0600},  {0755, true, 0700},          {0700, true, std::nullopt},  {0500, true, 0700},
        {04755, false, 0600}, // no set-id bit survives
    };
    for (const auto& c : cases)
        EXPECT_EQ(tightened_mode(c.perms, c.directory), c.want)
            << std::oct << c.perms << " dir=" << c.directory;
}

mode_t perms_of(const std::filesystem::path& p) {
    struct stat st {};
    ::lstat(p.c_str(), &st);
    return st.st_mode & 07777;
}

TEST(FileModes, TreeIsTightenedWithoutFollowingLinks) {
    TempDir dir;
    TempDir outside;
    const auto data = dir.path() / "data";
    create_data_dir(data);
    EXPECT_EQ(perms_of(data), 0700u);
    std::filesystem::create_directories(data / "spool" / "queue");
    std::ofstream(data / "store.db") << "x";
    std::ofstream(data / "spool" / "queue" / "1.msg") << "x";
    std::ofstream(outside.path() / "victim") << "x";
    ::chmod((data / "store.db").c_str(), 0644);
    ::chmod((data / "spool").c_str(), 0755);
    ::chmod((data / "spool" / "queue" / "1.msg").c_str(), 0664);
    ::chmod((outside.path() / "victim").c_str(), 0644);
    std::filesystem::create_symlink(outside.path() / "victim", data / "link");

    const auto report = secure_tree(data, std::nullopt);
    EXPECT_EQ(report.tightened.size(), 4u); // store.db, spool, spool/queue (made 0755 here), 1.msg
    EXPECT_TRUE(report.problems.empty());
    EXPECT_EQ(perms_of(data / "store.db"), 0600u);
    EXPECT_EQ(perms_of(data / "spool"), 0700u);
    EXPECT_EQ(perms_of(data / "spool" / "queue" / "1.msg"), 0600u);
    EXPECT_EQ(perms_of(outside.path() / "victim"), 0644u); // the link's target is not ours
    EXPECT_TRUE(secure_tree(data, std::nullopt).tightened.empty());
}

TEST(DataDirLock, SecondHolderIsRefusedUntilTheFirstLetsGo) {
    TempDir dir;
    {
        DataDirLock first(dir.path());
        try {
            DataDirLock second(dir.path());
            FAIL() << "a second lock was granted";
        } catch (const DataDirBusy& e) {
            EXPECT_EQ(std::string(e.what()).rfind("another mailpushd holds " + dir.path().string(), 0), 0u)
                << e.what();
        }
        EXPECT_EQ(perms_of(dir.path() / "lock"), 0600u);
    }
    DataDirLock again(dir.path()); // released with its descriptor
}

TEST(Privileges, Plan) {
    const UserAccount mailpush{"mailpush", 998, 998};
    const UserAccount root{"root", 0, 0};
    EXPECT_EQ(plan_privileges(1000, "mailpush", std::nullopt).action, PrivilegeAction::keep);
    EXPECT_EQ(plan_privileges(0, "mailpush", mailpush).action, PrivilegeAction::drop);
    EXPECT_EQ(plan_privileges(0, "", std::nullopt).action, PrivilegeAction::keep);
    EXPECT_TRUE(plan_privileges(0, "", std::nullopt).warn);
    EXPECT_EQ(plan_privileges(0, "root", root).action, PrivilegeAction::keep);
    const auto missing = plan_privileges(0, "mail-sender", std::nullopt);
    EXPECT_EQ(missing.action, PrivilegeAction::refuse);
    EXPECT_EQ(missing.message.rfind("key 'server.user': no user \"mail-sender\"", 0), 0u) << missing.message;
    const auto default_missing = plan_privileges(0, "mailpush", std::nullopt); // the shipped default
    EXPECT_EQ(default_missing.action, PrivilegeAction::keep);
    EXPECT_TRUE(default_missing.warn);
    const auto drop = plan_privileges(0, "mailpush", mailpush);
    ASSERT_TRUE(data_dir_owner(drop, mailpush));
    EXPECT_EQ(data_dir_owner(drop, mailpush)->uid, 998u);
    EXPECT_FALSE(data_dir_owner(plan_privileges(1000, "mailpush", std::nullopt), std::nullopt));
}

TEST(CertificateCheck, MissingMismatchedAndSelfSignedPairs) {
    TempDir dir;
    const auto a_cert = (dir.path() / "a.pem").string(), a_key = (dir.path() / "a.key").string();
    const auto b_cert = (dir.path() / "b.pem").string(), b_key = (dir.path() / "b.key").string();
    auto pair = [](std::string cert, std::string key, bool self_signed) {
        return CertificatePair{"tls.cert", "tls.key", std::move(cert), std::move(key), self_signed};
    };
    // Not made yet: self_signed makes them at the first start; otherwise they must exist.
    EXPECT_FALSE(check_certificate_pair(pair(a_cert, a_key, true)));
    const auto missing = check_certificate_pair(pair(a_cert, a_key, false));
    ASSERT_TRUE(missing);
    EXPECT_EQ(*missing, "key 'tls.cert': cannot read " + a_cert + ": No such file or directory");

    ASSERT_TRUE(net::ensure_self_signed(a_cert, a_key, "a.test"));
    ASSERT_TRUE(net::ensure_self_signed(b_cert, b_key, "b.test"));
    EXPECT_FALSE(check_certificate_pair(pair(a_cert, a_key, false)));
    const auto mismatch = check_certificate_pair(pair(a_cert, b_key, false));
    ASSERT_TRUE(mismatch);
    EXPECT_EQ(mismatch->rfind("key 'tls.key': " + b_key + " does not match", 0), 0u) << *mismatch;
    const auto swapped = check_certificate_pair(pair(a_key, a_cert, false));
    ASSERT_TRUE(swapped);
    EXPECT_EQ(swapped->rfind("key 'tls.cert': ", 0), 0u) << *swapped;
    EXPECT_TRUE(check_certificate_pair(pair(a_cert, "", false)));
}

TEST(CertificateCheck, TheHttpsPairIsCheckedToo) {
    config::Config cfg;
    EXPECT_TRUE(certificate_pairs(cfg).empty());
    cfg.tls.cert = "/t/cert.pem";
    cfg.tls.key = "/t/key.pem";
    cfg.http.cert = "/h/cert.pem";
    cfg.http.key = "/h/key.pem";
    const auto pairs = certificate_pairs(cfg);
    ASSERT_EQ(pairs.size(), 2u);
    EXPECT_EQ(pairs[1].cert_key, "http.cert");
    EXPECT_EQ(pairs[1].key, "/h/key.pem");
    EXPECT_FALSE(pairs[1].made_at_start);
    const auto problem = check_certificates(cfg);
    ASSERT_TRUE(problem);
    EXPECT_EQ(*problem, "key 'tls.cert': cannot read /t/cert.pem: No such file or directory");
}

} // namespace
} // namespace mailpush::app
