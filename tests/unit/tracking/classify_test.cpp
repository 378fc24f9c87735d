// The human/machine rule table, row by row, and the option checks.
#include "mailpush/tracking/classify.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace mailpush::tracking {
namespace {

constexpr std::string_view kBrowser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
                                      "like Gecko) Chrome/120.0 Safari/537.36";
constexpr std::int64_t kDelivered = 1'700'000'000'000;

HitFacts open_hit(std::string_view agent, std::string_view ip = "203.0.113.5") {
    HitFacts f;
    f.kind = HitKind::open;
    f.user_agent = agent;
    f.client_ip = ip;
    f.delivered_ms = kDelivered;
    f.at_ms = kDelivered + 3'600'000;
    f.links_in_message = 3;
    return f;
}

HitFacts click_hit(std::string_view agent, std::int64_t after_delivery_ms = 3'600'000) {
    HitFacts f = open_hit(agent);
    f.kind = HitKind::click;
    f.at_ms = kDelivered + after_delivery_ms;
    return f;
}

const Classifier& classifier() {
    static const Classifier c{ClassifyOptions{}};
    return c;
}

TEST(Classify, NamesAndMachineDecision) {
    EXPECT_EQ(class_name(HitClass::human), "human");
    EXPECT_EQ(class_name(HitClass::proxy), "proxy");
    EXPECT_EQ(class_name(HitClass::prefetch), "prefetch");
    EXPECT_EQ(class_name(HitClass::scanner), "scanner");
    EXPECT_FALSE(counts_as_machine(HitClass::human));
    EXPECT_FALSE(counts_as_machine(HitClass::proxy));
    EXPECT_TRUE(counts_as_machine(HitClass::prefetch));
    EXPECT_TRUE(counts_as_machine(HitClass::scanner));
}

TEST(Classify, BrowserOpenAndLateClickAreHuman) {
    EXPECT_EQ(classifier().classify(open_hit(kBrowser)), HitClass::human);
    EXPECT_EQ(classifier().classify(click_hit(kBrowser)), HitClass::human);
    EXPECT_EQ(classifier().classify(open_hit("Mozilla/4.0 (compatible; ms-office; MSOffice 16)")),
              HitClass::human);
}

TEST(Classify, ImageProxiesAreProxies) {
    EXPECT_EQ(
        classifier().classify(open_hit(
            "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)")),
        HitClass::proxy);
    EXPECT_EQ(classifier().classify(
                  open_hit("YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html")),
              HitClass::proxy);
}

TEST(Classify, ApplePrivacyProtectionIsPrefetch) {
    EXPECT_EQ(classifier().classify(open_hit(kBrowser, "17.58.1.9")), HitClass::prefetch);
    EXPECT_EQ(classifier().classify(open_hit(kBrowser, "::ffff:17.58.1.9")), HitClass::prefetch);
    EXPECT_EQ(classifier().classify(open_hit("Mozilla/5.0", "198.51.100.7")), HitClass::prefetch);
    EXPECT_EQ(classifier().classify(open_hit(kBrowser, "18.0.0.1")), HitClass::human);
    // A click from Apple's network is a person; the bare agent on a click is a scanner.
    HitFacts click = click_hit(kBrowser);
    click.client_ip = "17.1.2.3";
    EXPECT_EQ(classifier().classify(click), HitClass::human);
    EXPECT_EQ(classifier().classify(click_hit("Mozilla/5.0")), HitClass::scanner);
}

TEST(Classify, MissingAgentIsScanner) {
    EXPECT_EQ(classifier().classify(open_hit("")), HitClass::scanner);
    EXPECT_EQ(classifier().classify(click_hit("")), HitClass::scanner);
}

TEST(Classify, KnownScannerAgentsAreScannersForOpensAndClicks) {
    for (const std::string_view agent :
         {"Barracuda Sentinel (EE)", "Mimecast-URL-Protect", "Proofpoint URL Defense",
          "Symantec Email Security", "Trend Micro Email Security", "python-requests/2.31.0", "curl/8.4.0",
          "Go-http-client/1.1", "Wget/1.21.3",
          "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
          "Mozilla/5.0 (compatible; bingbot/2.0)"}) {
        EXPECT_EQ(classifier().classify(open_hit(agent)), HitClass::scanner) << agent;
        EXPECT_EQ(classifier().classify(click_hit(agent)), HitClass::scanner) << agent;
    }
    EXPECT_EQ(classifier().classify(open_hit("PYTHON-REQUESTS/2")), HitClass::scanner); // any case
}

TEST(Classify, ClickSoonAfterDeliveryIsScanner) {
    EXPECT_EQ(classifier().classify(click_hit(kBrowser, 3'000)), HitClass::scanner);
    EXPECT_EQ(classifier().classify(click_hit(kBrowser, 9'999)), HitClass::scanner);
    EXPECT_EQ(classifier().classify(click_hit(kBrowser, 10'000)), HitClass::human);
    HitFacts unknown_delivery = click_hit(kBrowser, 3'000);
    unknown_delivery.delivered_ms = 0;
    EXPECT_EQ(classifier().classify(unknown_delivery), HitClass::human);
    // Opens are not judged by timing: a person may open at once.
    HitFacts early_open = open_hit(kBrowser);
    early_open.at_ms = kDelivered + 1'000;
    EXPECT_EQ(classifier().classify(early_open), HitClass::human);
}

TEST(Classify, BurstOfDistinctLinksIsScanner) {
    HitFacts f = click_hit(kBrowser);
    f.earlier_clicks = {{f.at_ms - 1'500, 1}, {f.at_ms - 800, 2}};
    EXPECT_EQ(classifier().classify(f), HitClass::scanner);
    f.earlier_clicks = {{f.at_ms - 1'500, 1}, {f.at_ms - 800, 1}}; // the same link twice
    EXPECT_EQ(classifier().classify(f), HitClass::human);
    f.earlier_clicks = {{f.at_ms - 60'000, 1}, {f.at_ms - 800, 2}}; // one of them long ago
    EXPECT_EQ(classifier().classify(f), HitClass::human);
    f.earlier_clicks = {{f.at_ms + 500, 1}, {f.at_ms + 800, 2}}; // later clicks do not count
    EXPECT_EQ(classifier().classify(f), HitClass::human);
}

TEST(Classify, OptionsChangeTheWindowsAndNetworks) {
    ClassifyOptions o;
    o.scanner_window_ms = 60'000;
    o.prefetch_networks = {"2001:db8::/32", "198.51.100.0/24", "192.0.2.1"};
    const Classifier c(o);
    EXPECT_EQ(c.classify(click_hit(kBrowser, 30'000)), HitClass::scanner);
    EXPECT_EQ(c.classify(open_hit(kBrowser, "2001:db8:1::5")), HitClass::prefetch);
    EXPECT_EQ(c.classify(open_hit(kBrowser, "198.51.100.200")), HitClass::prefetch);
    EXPECT_EQ(c.classify(open_hit(kBrowser, "192.0.2.1")), HitClass::prefetch);
    EXPECT_EQ(c.classify(open_hit(kBrowser, "192.0.2.2")), HitClass::human);
    EXPECT_EQ(c.classify(open_hit(kBrowser, "17.1.1.1")), HitClass::human);
    EXPECT_EQ(c.classify(open_hit(kBrowser, "not-an-ip")), HitClass::human);
}

TEST(Classify, BadNetworkIsRefusedByName) {
    for (const std::string bad :
         {"17.0.0.0/33", "17.0.0/8", "::/129", "example.com/8", "17.0.0.0/", "17.0.0.0/-1"}) {
        ClassifyOptions o;
        o.prefetch_networks = {bad};
        try {
            Classifier c(o);
            ADD_FAILURE() << bad << " accepted";
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
        }
    }
}

} // namespace
} // namespace mailpush::tracking
