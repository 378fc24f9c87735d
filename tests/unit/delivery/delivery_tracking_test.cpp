// The link host of a sender's tracked mail, and the per-message analyses kept for its recipients.
#include "mailpush/engine/delivery_tracking.hpp"

#include <gtest/gtest.h>

using namespace mailpush;
using namespace mailpush::delivery;

TEST(TrackingBaseUrl, TheDmtraceHostOfTheSendersDomainLowerCased) {
    EXPECT_EQ(tracking_base_url(LinkHost::cname, "news@Mail.Example.COM", "https://mp.test"),
              "http://dmtrace.mail.example.com");
}

TEST(TrackingBaseUrl, ThePublicUrlWithoutItsTrailingSlashes) {
    EXPECT_EQ(tracking_base_url(LinkHost::public_url, "news@example.com", "https://mp.test:8443//"),
              "https://mp.test:8443");
}

TEST(TrackingBaseUrl, NothingForASenderWithoutADomain) {
    EXPECT_EQ(tracking_base_url(LinkHost::cname, "news", "https://mp.test"), "");
}

TEST(LinkHostOf, TheHostARequestNamesLowerCasedWithoutThePort) {
    EXPECT_EQ(link_host_of("http://DMTrace.Example.com"), "dmtrace.example.com");
    EXPECT_EQ(link_host_of("https://127.0.0.1:8443"), "127.0.0.1");
    EXPECT_EQ(link_host_of("https://[::1]:8443"), "::1");
    EXPECT_EQ(link_host_of("not a url"), "");
}

namespace {
std::string html_message(int n) {
    return "Subject: " + std::to_string(n) +
           "\r\nMIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n<p><a href=\"https://a.test/" +
           std::to_string(n) + "\">a</a></p>\r\n";
}
const tracking::TrackOptions kBoth{true, true, {}};
} // namespace

TEST(TrackedBodies, AMessageIsAnalysedOnceForAllItsRecipients) {
    TrackedBodies bodies(8, 1 << 20);
    const auto first = bodies.get(1, html_message(1), kBoth);
    const auto again = bodies.get(1, "not even read the second time", kBoth);
    EXPECT_EQ(first, again);
    EXPECT_TRUE(first->message.tracked());
    EXPECT_EQ(first->message.links(), (std::vector<std::string>{"https://a.test/1"}));
}

TEST(TrackedBodies, TheLeastRecentlyUsedGoesFirstBeyondTheEntryLimit) {
    TrackedBodies bodies(2, 1 << 20);
    const auto one = bodies.get(1, html_message(1), kBoth);
    bodies.get(2, html_message(2), kBoth);
    bodies.get(1, html_message(1), kBoth); // 1 used again: 2 is now the oldest
    bodies.get(3, html_message(3), kBoth);
    EXPECT_EQ(bodies.size(), 2u);
    EXPECT_EQ(bodies.get(1, html_message(1), kBoth), one);
    EXPECT_NE(bodies.get(2, html_message(2), kBoth)->message.links(), std::vector<std::string>{});
}

TEST(TrackedBodies, TheByteLimitKeepsAtLeastTheNewestMessage) {
    const auto m = html_message(1);
    TrackedBodies bodies(100, m.size() + 10); // room for one message, not two
    bodies.get(1, m, kBoth);
    bodies.get(2, html_message(2), kBoth);
    EXPECT_EQ(bodies.size(), 1u);
    TrackedBodies tiny(100, 1); // smaller than any message: the newest still stays
    tiny.get(1, m, kBoth);
    EXPECT_EQ(tiny.size(), 1u);
}

TEST(TrackedBodies, ForgetDropsTheAnalysisOfADoneMessage) {
    TrackedBodies bodies(8, 1 << 20);
    const auto before = bodies.get(1, html_message(1), kBoth);
    bodies.forget(1);
    EXPECT_EQ(bodies.size(), 0u);
    EXPECT_NE(bodies.get(1, html_message(1), kBoth), before);
}

TEST(RenderTracked, OneRecipientsCopyWithItsTokensAndTheEntryToStoreOnce) {
    TrackedBodies bodies(8, 1 << 20);
    AttemptJob job;
    job.envid = 5;
    job.message.recipients = {"r@x.test"};
    job.rcpt_indices = {3};
    job.track_opens = job.track_links = true;
    const TrackingLinks links{"http://dmtrace.x.test", {1, std::string(32, 's')}, {}};
    auto body = html_message(5);
    const auto entry = render_tracked(job, body, links, bodies);
    ASSERT_NE(entry, nullptr);
    EXPECT_TRUE(job.tracked);
    EXPECT_NE(body.find("http://dmtrace.x.test/o/"), std::string::npos);
    EXPECT_NE(body.find("http://dmtrace.x.test/c/"), std::string::npos);
    entry->links_stored = true;
    auto second = html_message(5);
    EXPECT_EQ(render_tracked(job, second, links, bodies), nullptr); // stored already
    EXPECT_EQ(second, body);                                        // the same recipient: the same copy
}

TEST(RenderTracked, AJobOfSeveralRecipientsIsLeftAsItIs) {
    TrackedBodies bodies(8, 1 << 20);
    AttemptJob job;
    job.envid = 5;
    job.message.recipients = {"r@x.test", "s@x.test"};
    job.rcpt_indices = {0, 1};
    job.track_opens = true;
    auto body = html_message(5);
    EXPECT_EQ(render_tracked(job, body, {"http://dmtrace.x.test", {1, std::string(32, 's')}, {}}, bodies),
              nullptr);
    EXPECT_EQ(body, html_message(5));
    EXPECT_FALSE(job.tracked);
}
