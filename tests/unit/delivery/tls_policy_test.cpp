// After a failed STARTTLS handshake: a plain-text retry of the same host, unless the
// destination requires TLS; and which destinations require it.
#include "mailpush/delivery/tls_policy.hpp"

#include <gtest/gtest.h>

using namespace mailpush::delivery;

TEST(TlsPolicy, RequiredDomainsAreExactCaseInsensitiveNames) {
    const std::vector<std::string> req{"Bank.example", "secure.test."};
    EXPECT_TRUE(tls_required("bank.example", req));
    EXPECT_TRUE(tls_required("BANK.EXAMPLE.", req));
    EXPECT_TRUE(tls_required("secure.test", req));
    EXPECT_FALSE(tls_required("mail.bank.example", req));
    EXPECT_FALSE(tls_required("example", req));
    EXPECT_FALSE(tls_required("", req));
    EXPECT_FALSE(tls_required("bank.example", {}));
}

TEST(TlsPolicy, FailedHandshakeIsRetriedInPlainTextOnce) {
    EXPECT_EQ(after_tls_failure(true, false, false), AfterTlsFailure::retry_plain);
    EXPECT_EQ(after_tls_failure(true, true, false), AfterTlsFailure::give_up); // that was the retry
}

TEST(TlsPolicy, RequiredTlsIsNeverDowngraded) {
    EXPECT_EQ(after_tls_failure(true, false, true), AfterTlsFailure::give_up);
}

TEST(TlsPolicy, OtherFailuresAreNotTlsFailures) {
    EXPECT_EQ(after_tls_failure(false, false, false), AfterTlsFailure::give_up);
    EXPECT_EQ(after_tls_failure(false, false, true), AfterTlsFailure::give_up);
}
