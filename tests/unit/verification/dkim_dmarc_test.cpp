// Judging DKIM and DMARC records, and DMARC alignment with the organisational domain.
#include "mailpush/store/dkim_keys.hpp"
#include "mailpush/verification/dmarc.hpp"
#include "mailpush/verification/dns_answers.hpp"

#include <gtest/gtest.h>

namespace mailpush::verification {
namespace {

store::DnsRecordCheck dkim_check() {
    return {"dkim:mpr1", "TXT", "mpr1._domainkey.example.com", "v=DKIM1; k=rsa; p=MIIBIjANBgkq", "unchecked",
            "",          ""};
}

TEST(DkimRecordJudgement, SameKeyOtherTagsFree) {
    auto c = dkim_check();
    judge_record(c, dns::Outcome::ok, {"v=DKIM1; k=rsa; t=s; p=MIIBIjANBgkq"});
    EXPECT_EQ(c.status, "ok");
    judge_record(c, dns::Outcome::ok, {"v=DKIM1;k=rsa;p=MIIB IjANBgkq"}); // FWS inside p= is allowed
    EXPECT_EQ(c.status, "ok");
    judge_record(c, dns::Outcome::ok, {"v=DKIM1; k=rsa; p=OTHERKEY"});
    EXPECT_EQ(c.status, "mismatch");
    judge_record(c, dns::Outcome::ok, {"v=DKIM1; k=ed25519; p=MIIBIjANBgkq"});
    EXPECT_EQ(c.status, "mismatch");
    judge_record(c, dns::Outcome::ok, {"v=DKIM1; k=rsa; p="}); // revoked
    EXPECT_EQ(c.status, "mismatch");
    judge_record(c, dns::Outcome::nxdomain, {});
    EXPECT_EQ(c.status, "missing");
}

TEST(DmarcRecordJudgement, AnyDmarcRecordCounts) {
    store::DnsRecordCheck c{"dmarc", "TXT", "_dmarc.example.com", "v=DMARC1; p=none", "unchecked", "", ""};
    judge_record(c, dns::Outcome::ok, {"v=spf1 -all", "v=DMARC1; p=reject"});
    EXPECT_EQ(c.status, "ok");
    judge_record(c, dns::Outcome::ok, {"something else"});
    EXPECT_EQ(c.status, "mismatch");
}

TEST(Dmarc, ParsesPolicyAndModes) {
    const auto p = parse_dmarc("v=DMARC1; p=Quarantine; adkim=s; aspf=r; rua=mailto:r@example.com");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->policy, "quarantine");
    EXPECT_TRUE(p->strict_dkim);
    EXPECT_FALSE(p->strict_spf);
    EXPECT_EQ(p->rua, "mailto:r@example.com");
    EXPECT_FALSE(parse_dmarc("p=none; v=DMARC1"));  // v= must come first
    EXPECT_FALSE(parse_dmarc("v=DMARC1; p=maybe")); // no valid policy
    EXPECT_FALSE(parse_dmarc("v=spf1 include:x -all"));
}

TEST(Dmarc, AlignmentUsesTheOrganisationalDomain) {
    EXPECT_TRUE(aligned("mail.example.com", "example.com", false));
    EXPECT_FALSE(aligned("mail.example.com", "example.com", true));
    EXPECT_TRUE(aligned("EXAMPLE.com", "example.com", true));
    // co.uk is a public suffix: two registrants under it are not aligned.
    EXPECT_FALSE(aligned("shop.co.uk", "bank.co.uk", false));
    EXPECT_TRUE(aligned("news.bank.co.uk", "bank.co.uk", false));
    EXPECT_FALSE(aligned("", "example.com", false));
}

TEST(Dmarc, ReportFollowsTheRecordsModes) {
    const std::vector<std::string> strict{"v=DMARC1; p=reject; adkim=s; aspf=s"};
    auto r = judge_dmarc(strict, "example.com", "bounce.example.com", true, "example.com", true);
    EXPECT_TRUE(r.record);
    EXPECT_EQ(r.policy, "reject");
    EXPECT_FALSE(r.spf_aligned);
    EXPECT_TRUE(r.dkim_aligned);
    EXPECT_TRUE(r.pass());
    r = judge_dmarc({"v=DMARC1; p=none"}, "example.com", "bounce.example.com", true, "other.org", true);
    EXPECT_TRUE(r.spf_aligned);
    EXPECT_FALSE(r.dkim_aligned);
    r = judge_dmarc({}, "example.com", "example.com", false, "example.com", false);
    EXPECT_FALSE(r.record);
    EXPECT_FALSE(r.pass());
}

TEST(Dmarc, DomainReportFromTheLastCheck) {
    store::Domain d;
    d.name = "example.com";
    store::DkimKey k;
    k.selector = "mpr1";
    k.state = "active";
    d.dkim = {k};
    d.checks = {{"spf", "TXT", "example.com", "", "ok", "", ""},
                {"dkim:mpr1", "TXT", "", "", "ok", "", ""},
                {"dmarc", "TXT", "_dmarc.example.com", "", "ok", "x | v=DMARC1; p=quarantine", ""}};
    auto r = domain_dmarc(d);
    EXPECT_TRUE(r.record);
    EXPECT_EQ(r.policy, "quarantine");
    EXPECT_TRUE(r.spf_aligned);
    EXPECT_TRUE(r.dkim_aligned);
    d.checks[1].status = "missing";
    d.checks[2].status = "missing";
    r = domain_dmarc(d);
    EXPECT_FALSE(r.record);
    EXPECT_FALSE(r.dkim_aligned);
    EXPECT_TRUE(r.spf_aligned);
}

} // namespace
} // namespace mailpush::verification
