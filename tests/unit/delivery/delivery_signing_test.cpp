// DKIM at delivery: the signing domain, signatures made once per job and verifiable, and the
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

AttemptJob job_for(std::string body, std::string mail_from = "news@example.com") {
    AttemptJob job;
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
    sign_for_delivery(job, f.accounts, "acct", 1'800'000'000);
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
    sign_for_delivery(job, f.accounts, "acct", 1);
    EXPECT_EQ(job.message.body, "From: x@stranger.net\r\n\r\nhello\r\n");
    auto other = job_for("From: news@example.com\r\n\r\nhello\r\n");
    sign_for_delivery(other, f.accounts, "someone-else", 1);
    EXPECT_EQ(other.message.body, "From: news@example.com\r\n\r\nhello\r\n");
}

TEST(DeliverySigning, EightBitBodyConvertedThenSignedAgain) {
    Fixture f;
    auto job = job_for("From: news@example.com\r\nSubject: caf\r\n\r\ncaf\xc3\xa9 cr\xc3\xa8me\r\n");
    job.message.eight_bit = true;
    sign_for_delivery(job, f.accounts, "acct", 1'800'000'000);
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
    sign_for_delivery(job, none, "acct", 1);
    EXPECT_EQ(job.signature_bytes, 0u);
    EXPECT_EQ(outbound_for(job, false).body,
              "Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
              "Content-Transfer-Encoding: quoted-printable\r\n\r\n=C3=A9\r\n");
}

} // namespace
} // namespace mailpush::delivery
