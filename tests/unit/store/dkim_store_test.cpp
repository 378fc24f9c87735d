// DKIM keys in the store: made with the domain, sealed at rest, published in the records, the
// rotation cycle (published -> active after its record verified -> the old key retired, kept
// in the records for the grace period), the signing keys in the Directory, and the migration
// of domains from before DKIM.
#include "temp_dir.hpp"

#include "mailpush/dkim/dkim.hpp"
#include "mailpush/sqlite/sqlite.hpp"
#include "mailpush/store/dkim_keys.hpp"
#include "mailpush/store/store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

namespace mailpush::store {
namespace {

class DkimStoreTest : public ::testing::Test {
protected:
    test_support::TempDir temp{"mailpush-dkim-store"};
    std::filesystem::path dir = temp.path();
    std::unique_ptr<Store> store;
    void SetUp() override { open(); }
    void open() {
        StoreLimits l;
        l.password_cost = {64, 1};
        l.service_host = "mx.mailpush.test";
        store = std::make_unique<Store>((dir / "s.db").string(), l, "cn-hangzhou");
    }
    ErrorKind kind_of(auto&& f) {
        try {
            f();
        } catch (const StoreError& e) {
            return e.kind();
        }
        ADD_FAILURE() << "no StoreError";
        return ErrorKind::invalid;
    }
    // Every record "found" as published, the DKIM ones only if `dkim_ok`.
    static std::vector<DnsRecordCheck> all_found(std::vector<DnsRecordCheck> checks, bool dkim_ok = true) {
        for (auto& c : checks)
            c.status = is_dkim_purpose(c.purpose) && !dkim_ok ? "missing" : "ok";
        return checks;
    }
    static const DnsRecordCheck* find(const std::vector<DnsRecordCheck>& checks, const std::string& purpose) {
        for (const auto& c : checks)
            if (c.purpose == purpose) return &c;
        return nullptr;
    }
};

TEST_F(DkimStoreTest, DomainAddMakesAnActiveRsaKeyPublishedInTheRecords) {
    store->add_account("acme");
    const auto d = store->add_domain("acme", "Example.com");
    ASSERT_EQ(d.dkim.size(), 1u);
    EXPECT_EQ(d.dkim[0].selector, "mpr1");
    EXPECT_EQ(d.dkim[0].algorithm, "rsa");
    EXPECT_EQ(d.dkim[0].rsa_bits, 2048);
    EXPECT_EQ(d.dkim[0].state, "active");
    const auto* rec = find(d.checks, "dkim:mpr1");
    ASSERT_NE(rec, nullptr);
    EXPECT_EQ(rec->type, "TXT");
    EXPECT_EQ(rec->host, "mpr1._domainkey.example.com");
    const auto parsed = dkim::parse_key_record(rec->value);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->public_b64, d.dkim[0].public_b64);
    const auto* dmarc = find(d.checks, "dmarc");
    ASSERT_NE(dmarc, nullptr);
    EXPECT_EQ(dmarc->host, "_dmarc.example.com");
    EXPECT_EQ(dmarc->value, "v=DMARC1; p=none; adkim=r; aspf=r; rua=mailto:dmarc-reports@example.com");

    // The signing key is in the snapshot, for the domain's account only through owns_domain.
    const auto directory = store->directory();
    const auto it = directory->dkim.find("example.com");
    ASSERT_NE(it, directory->dkim.end());
    ASSERT_EQ(it->second.size(), 1u);
    EXPECT_EQ(it->second[0].selector, "mpr1");
    EXPECT_EQ(it->second[0].domain, "example.com");
    EXPECT_EQ(dkim::key_from_pem(it->second[0].private_pem).public_b64, d.dkim[0].public_b64);
}

TEST_F(DkimStoreTest, Ed25519AndRsa1024OnRequestBadLengthRefused) {
    store->add_account("acme");
    const auto d = store->add_domain("acme", "example.com", {1024, true});
    ASSERT_EQ(d.dkim.size(), 2u);
    EXPECT_EQ(d.dkim[0].selector, "mpr1");
    EXPECT_EQ(d.dkim[0].rsa_bits, 1024);
    EXPECT_EQ(d.dkim[1].selector, "mpe1");
    EXPECT_EQ(d.dkim[1].algorithm, "ed25519");
    EXPECT_EQ(store->directory()->dkim.at("example.com").size(), 2u);
    EXPECT_EQ(kind_of([&] { store->add_domain("acme", "other.com", {4096, false}); }), ErrorKind::invalid);
    EXPECT_THROW(store->get_domain("other.com"), StoreError); // nothing was made
}

TEST_F(DkimStoreTest, PrivateKeySealedAtRest) {
    store->add_account("acme");
    store->add_domain("acme", "example.com");
    store.reset();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir / "s.db").string().c_str(), &db), SQLITE_OK);
    {
        sqlite::Statement st(db, "SELECT private_key FROM dkim_keys");
        ASSERT_TRUE(st.step());
        EXPECT_EQ(st.text(0).find("PRIVATE KEY"), std::string::npos);
    }
    sqlite3_close(db);
    open(); // and it opens again with the master key
    EXPECT_EQ(store->directory()->dkim.at("example.com").size(), 1u);
}

TEST_F(DkimStoreTest, VerifiedNeedsTheActiveKeysRecord) {
    store->add_account("acme");
    const auto d = store->add_domain("acme", "example.com");
    EXPECT_FALSE(store->record_domain_checks("example.com", all_found(d.checks, false)).verified);
    EXPECT_TRUE(store->record_domain_checks("example.com", all_found(d.checks)).verified);
}

TEST_F(DkimStoreTest, RotationCycle) {
    store->add_account("acme");
    auto d = store->add_domain("acme", "example.com", {2048, true});
    d = store->record_domain_checks("example.com", all_found(d.checks));
    ASSERT_TRUE(d.verified);

    const auto keys = store->rotate_dkim("example.com", 1024);
    ASSERT_EQ(keys.size(), 4u);
    EXPECT_EQ(keys[0].selector, "mpr2");
    EXPECT_EQ(keys[0].state, "published");
    EXPECT_EQ(keys[0].rsa_bits, 1024);
    EXPECT_EQ(keys[1].selector, "mpe2");
    EXPECT_EQ(keys[1].state, "published");
    // A second rotation waits for the first.
    EXPECT_EQ(kind_of([&] { store->rotate_dkim("example.com", 0); }), ErrorKind::conflict);
    // Published, not signing: the old keys still sign; both records are to be published.
    d = store->get_domain("example.com");
    EXPECT_NE(find(d.checks, "dkim:mpr1"), nullptr);
    EXPECT_NE(find(d.checks, "dkim:mpr2"), nullptr);
    auto signing = store->directory()->dkim.at("example.com");
    ASSERT_EQ(signing.size(), 2u);
    EXPECT_TRUE(signing[0].selector == "mpr1" || signing[1].selector == "mpr1");

    // The new records not found yet: nothing changes, the domain stays verified.
    auto checks = all_found(d.checks);
    for (auto& c : checks)
        if (c.purpose == "dkim:mpr2" || c.purpose == "dkim:mpe2") c.status = "missing";
    d = store->record_domain_checks("example.com", checks);
    EXPECT_TRUE(d.verified);
    EXPECT_EQ(d.dkim[0].state, "published");

    // Found: the new keys sign, the old ones are retired but still published.
    d = store->record_domain_checks("example.com", all_found(d.checks));
    EXPECT_TRUE(d.verified);
    for (const auto& k : d.dkim)
        EXPECT_EQ(k.state, k.generation == 2 ? "active" : "retired") << k.selector;
    signing = store->directory()->dkim.at("example.com");
    ASSERT_EQ(signing.size(), 2u);
    for (const auto& k : signing)
        EXPECT_TRUE(k.selector == "mpr2" || k.selector == "mpe2") << k.selector;
    EXPECT_NE(find(d.checks, "dkim:mpr1"), nullptr);
    // The next rotation may start now.
    EXPECT_EQ(store->rotate_dkim("example.com", 0)[0].selector, "mpr3");
}

TEST_F(DkimStoreTest, RotationOfAnUnknownDomainOrBadLengthRefused) {
    store->add_account("acme");
    store->add_domain("acme", "example.com");
    EXPECT_EQ(kind_of([&] { store->rotate_dkim("nope.com", 0); }), ErrorKind::not_found);
    EXPECT_EQ(kind_of([&] { store->rotate_dkim("example.com", 512); }), ErrorKind::invalid);
    EXPECT_EQ(store->dkim_keys("example.com").size(), 1u); // nothing was added
}

TEST_F(DkimStoreTest, DomainsFromBeforeDkimGetAKeyAtStartup) {
    store->add_account("acme");
    store->add_domain("acme", "example.com");
    store.reset();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir / "s.db").string().c_str(), &db), SQLITE_OK);
    sqlite::exec(db, "DROP TABLE dkim_keys");
    sqlite3_close(db);
    open();
    const auto keys = store->dkim_keys("example.com");
    ASSERT_EQ(keys.size(), 1u);
    EXPECT_EQ(keys[0].state, "active");
    EXPECT_EQ(keys[0].rsa_bits, 2048);
}

TEST_F(DkimStoreTest, RemovingTheDomainRemovesItsKeys) {
    store->add_account("acme");
    store->add_domain("acme", "example.com");
    store->remove_domain("example.com");
    store->add_domain("acme", "example.com");
    EXPECT_EQ(store->dkim_keys("example.com").size(), 1u);
}

// The pure decisions.
DkimKey key(const std::string& selector, const std::string& algorithm, const std::string& state,
            int generation, std::int64_t retired_s = 0) {
    DkimKey k;
    k.selector = selector;
    k.algorithm = algorithm;
    k.state = state;
    k.generation = generation;
    k.public_b64 = "AAAA";
    k.retired_s = retired_s;
    return k;
}

TEST(DkimRecords, RetiredKeysLeaveTheRecordsAfterTheGracePeriod) {
    const std::int64_t now = 1'800'000'000;
    const std::vector<DkimKey> keys{key("mpr2", "rsa", "active", 2),
                                    key("mpr1", "rsa", "retired", 1, now - 10)};
    EXPECT_EQ(dkim_records("example.com", keys, now).size(), 2u);
    const auto later = dkim_records("example.com", keys, now - 10 + kDkimRetiredGraceSeconds);
    ASSERT_EQ(later.size(), 1u);
    EXPECT_EQ(later[0].purpose, "dkim:mpr2");
    EXPECT_EQ(later[0].value, "v=DKIM1; k=rsa; p=AAAA");
}

TEST(DkimRecords, ActivationRetiresOnlyTheSameAlgorithm) {
    const std::vector<DkimKey> keys{key("mpr2", "rsa", "published", 2), key("mpr1", "rsa", "active", 1),
                                    key("mpe1", "ed25519", "active", 1)};
    std::vector<DnsRecordCheck> checks{{"dkim:mpr2", "TXT", "", "", "ok", "", ""}};
    const auto out = activate_verified_keys(keys, checks, 42);
    EXPECT_EQ(out[0].state, "active");
    EXPECT_EQ(out[0].activated_s, 42);
    EXPECT_EQ(out[1].state, "retired");
    EXPECT_EQ(out[1].retired_s, 42);
    EXPECT_EQ(out[2].state, "active");
    checks[0].status = "mismatch";
    EXPECT_EQ(activate_verified_keys(keys, checks, 42)[0].state, "published");
    EXPECT_FALSE(dkim_verified({}, keys));
    EXPECT_NE(rotation_refusal(keys, "example.com").find("mpr2._domainkey.example.com"), std::string::npos);
}

} // namespace
} // namespace mailpush::store
