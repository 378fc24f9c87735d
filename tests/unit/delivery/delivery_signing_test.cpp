// DKIM at delivery: the signing domain, signatures made once per message and verifiable, and the
// 7-bit form for a receiver without 8BITMIME signed again (and verifiable) after conversion.
#include "mailpush/dkim/dkim.hpp"
#include "mailpush/engine/delivery_signing.hpp"
#include "mailpush/smtp/seven_bit.hpp"

#include <gtest/gtest.h>

#include <map>

namespace mailpush::delivery {
namespace {

struct KeyedAccounts : Accounts {
    std::map<std::string, std::shared_ptr<const std::vector<dkim::SigningKey>>>
        keys; // by domain, account "acct"
    std::string account_of(const std::string&) const override { return "acct"; }
    void add_invalid(const std::string&, const std::string&) override {}
    bool is_invalid(const std::string&, const std::string&) const override { return false; }
    std::shared_ptr<const std::vector<dkim::SigningKey>>
    signing_keys(const std::string& account, const std::string& domain) const override {
        const auto it = keys.find(domain);
        return account == "acct" && it != keys.end() ? it->second : nullptr;
    }
};

struct Fixture {
    dkim::KeyPair rsa = dkim::generate_key(dkim::Algorithm::rsa_sha256, 1024);
    dkim::KeyPair ed = dkim::generate_key(dkim::Algorithm::ed25519_sha256);
    KeyedAccounts accounts;
    std::shared_ptr<SignatureCache> cache = std::make_shared<SignatureCache>(16, 3600);
    Fixture() {
        accounts.keys["example.com"] =
            std::make_shared<const std::vector<dkim::SigningKey>>(std::vector<dkim::SigningKey>{
                {"example.com", "mpr1", dkim::Algorithm::rsa_sha256, rsa.private_pem},
                {"example.com", "mpe1", dkim::Algorithm::ed25519_sha256, ed.private_pem}});
    }
    dkim::KeyLookup lookup() const {
        return [this](const std::string& selector, const std::string& domain) -> std::optional<std::string> {
            if (domain != "example.com") return std::nullopt;
            if (selector == "mpr1") return dkim::txt_record(dkim::Algorithm::rsa_sha256, rsa.public_b64);
            if (selector == "mpe1") return dkim::txt_record(dkim::Algorithm::ed25519_sha256, ed.public_b64);
            return std::nullopt;
        };
    }
    void expect_all_pass(const std::string& message) const {
        const auto results = dkim::verify(message, lookup());
        ASSERT_EQ(results.size(), 2u) << message;
        for (const auto& r : results)
            EXPECT_EQ(r.status, dkim::VerifyStatus::pass) << r.selector;
    }
};

AttemptJob job_for(std::string body, std::string mail_from = "news@example.com", std::uint64_t envid = 7) {
    AttemptJob job;
    job.envid = envid;
    job.message.mail_from = std::move(mail_from);
    job.message.recipients = {"bob@example.org"};
    job.message.body = std::move(body);
    return job;
}

TEST(SigningDomain, HeaderFromIfTheAccountsElseEnvelope) {
    auto owns = [](const std::string& d) { return d == "example.com"; };
    EXPECT_EQ(signing_domain("From: A <a@Example.COM>\r\n\r\nx", "b@other.org", owns), "example.com");
    EXPECT_EQ(signing_domain("From: a@stranger.net\r\n\r\nx", "b@Other.org", owns), "other.org");
    EXPECT_EQ(signing_domain("Subject: no from\r\n\r\nx", "b@other.org", owns), "other.org");
    EXPECT_EQ(signing_domain("From: a@example.com, c@example.com\r\n\r\nx", "", owns), "");
}

TEST(DeliverySigning, SignsOnceWithBothKeysAndVerifies) {
    Fixture f;
    auto job =
        job_for("From: news@example.com\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nhello\r\n.dot line\r\n");
    sign_for_delivery(job, f.accounts, "acct", 1'800'000'000, f.cache);
    EXPECT_TRUE(job.message.body.starts_with("DKIM-Signature:"));
    EXPECT_GT(job.signature_bytes, 0u);
    f.expect_all_pass(job.message.body);
    // A receiver with 8BITMIME, or a 7-bit body: the same message.
    EXPECT_EQ(&outbound_for(job, true), &job.message);
    EXPECT_EQ(&outbound_for(job, false), &job.message);
}

TEST(DeliverySigning, OtherAccountsOrUnknownDomainsAreNotSigned) {
    Fixture f;
    auto job = job_for("From: x@stranger.net\r\n\r\nhello\r\n", "x@stranger.net");
    sign_for_delivery(job, f.accounts, "acct", 1, f.cache);
    EXPECT_EQ(job.message.body, "From: x@stranger.net\r\n\r\nhello\r\n");
    auto other = job_for("From: news@example.com\r\n\r\nhello\r\n");
    sign_for_delivery(other, f.accounts, "someone-else", 1, f.cache);
    EXPECT_EQ(other.message.body, "From: news@example.com\r\n\r\nhello\r\n");
}

TEST(DeliverySigning, EightBitBodyConvertedThenSignedAgain) {
    Fixture f;
    auto job = job_for("From: news@example.com\r\nSubject: caf\r\n\r\ncaf\xc3\xa9 cr\xc3\xa8me\r\n");
    job.message.eight_bit = true;
    sign_for_delivery(job, f.accounts, "acct", 1'800'000'000, f.cache);
    f.expect_all_pass(job.message.body);
    const auto& seven = outbound_for(job, false);
    EXPECT_NE(&seven, &job.message);
    EXPECT_FALSE(seven.eight_bit);
    EXPECT_FALSE(smtp::has_eight_bit(seven.body));
    EXPECT_NE(seven.body.find("caf=C3=A9"), std::string::npos);
    f.expect_all_pass(seven.body);
    EXPECT_EQ(&outbound_for(job, false), &seven); // made once per job
    // The old signatures are not carried over: two signatures, not four.
    std::size_t count = 0;
    for (std::size_t p = 0; (p = seven.body.find("DKIM-Signature:", p)) != std::string::npos; ++p)
        ++count;
    EXPECT_EQ(count, 2u);
}

TEST(DeliverySigning, UnsignedEightBitBodyStillConverted) {
    KeyedAccounts none;
    auto job = job_for("Subject: x\r\n\r\n\xc3\xa9\r\n");
    sign_for_delivery(job, none, "acct", 1, std::make_shared<SignatureCache>(4, 60));
    EXPECT_EQ(job.signature_bytes, 0u);
    EXPECT_EQ(outbound_for(job, false).body,
              "Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
              "Content-Transfer-Encoding: quoted-printable\r\n\r\n=C3=A9\r\n");
}

TEST(DeliverySigning, OneSigningPerMessageAcrossItsJobs) {
    Fixture f;
    const std::string body = "From: news@example.com\r\nTo: a@one.org, b@two.org\r\nSubject: hi\r\n\r\n"
                             "caf\xc3\xa9\r\n";
    auto first = job_for(body), second = job_for(body);
    second.message.recipients = {"b@two.org"};
    first.message.eight_bit = second.message.eight_bit = true;
    sign_for_delivery(first, f.accounts, "acct", 1'800'000'000, f.cache);
    sign_for_delivery(second, f.accounts, "acct", 1'800'000'100, f.cache);
    EXPECT_EQ(f.cache->counts().made, 1u);
    EXPECT_EQ(f.cache->counts().reused, 1u);
    EXPECT_EQ(second.message.body, first.message.body); // the first job's t= and b=
    f.expect_all_pass(second.message.body);
    // The 7-bit form: signed for the first job that needs it, reused by the next.
    const auto seven_first = outbound_for(first, false).body;
    EXPECT_EQ(outbound_for(second, false).body, seven_first);
    EXPECT_EQ(f.cache->counts().made, 2u);
    f.expect_all_pass(seven_first);
    // Another message (envid) is signed on its own.
    auto other = job_for(body, "news@example.com", 8);
    sign_for_delivery(other, f.accounts, "acct", 1'800'000'100, f.cache);
    EXPECT_EQ(f.cache->counts().made, 3u);
    f.expect_all_pass(other.message.body);
}

TEST(DeliverySigning, RecipientsOwnUnsubscribeLinesAreSignedForThatJobAlone) {
    Fixture f;
    const std::string body = "From: news@example.com\r\nSubject: hi\r\n\r\nhello\r\n";
    for (const char* who : {"a", "b"}) {
        auto job = job_for("List-Unsubscribe: <https://h/u/" + std::string(who) + ">\r\n" + body);
        job.unsubscribe_lines = "List-Unsubscribe: <https://h/u/" + std::string(who) + ">\r\n";
        sign_for_delivery(job, f.accounts, "acct", 1'800'000'000, f.cache);
        f.expect_all_pass(job.message.body);
    }
    EXPECT_EQ(f.cache->size(), 0u); // nothing another job could reuse
}

TEST(SignatureCache, ReusesFreshEntriesEvictsTheLeastRecentlyUsed) {
    SignatureCache cache(2, 100);
    int made = 0;
    auto make = [&] { return "sig" + std::to_string(++made); };
    EXPECT_EQ(cache.get_or_make("a", 1000, make), "sig1");
    EXPECT_EQ(cache.get_or_make("a", 1099, make), "sig1");
    EXPECT_EQ(cache.get_or_make("a", 1100, make), "sig2"); // too old: made again
    EXPECT_EQ(cache.get_or_make("b", 1100, make), "sig3");
    EXPECT_EQ(cache.get_or_make("a", 1101, make), "sig2"); // a is now the most recent
    EXPECT_EQ(cache.get_or_make("c", 1101, make), "sig4"); // evicts b
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_EQ(cache.get_or_make("b", 1101, make), "sig5");
    EXPECT_EQ(cache.get_or_make("a", 1101, make), "sig6"); // evicted by b
    EXPECT_EQ(cache.counts().made, 6u);
    EXPECT_EQ(cache.counts().reused, 2u);
}

TEST(SignatureCache, AFailedSigningIsNotKept) {
    SignatureCache cache(2, 100);
    EXPECT_EQ(cache.get_or_make("a", 1, [] { return std::string(); }), "");
    EXPECT_EQ(cache.size(), 0u);
    EXPECT_EQ(cache.get_or_make("a", 1, [] { return std::string("sig"); }), "sig");
}

} // namespace
} // namespace mailpush::delivery
