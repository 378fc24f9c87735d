// Open and Click events as notifications: their types, and routing them from the delivery log
// through a target's event filter into the pull queue.
#include "../delivery/tracking_fixture.hpp"

#include "mailpush/notify/notify_log.hpp"

#include <gtest/gtest.h>

namespace mailpush::notify {
namespace {
using test_support::kDay1Ms;

TEST(NotificationType, TrackingEventsHaveTheirOwnTypes) {
    EXPECT_EQ(event_type("event=Open&region=cn-hangzhou&env_id=1", 0), "Deliver:Open");
    EXPECT_EQ(event_type("event=Click&region=cn-hangzhou&env_id=1&url=x", 4), "Deliver:Click");
    EXPECT_EQ(event_type("env_id=1&msg_id=x&status=0&event=deliver", 0), "Deliver:SendSuccessfully");
    EXPECT_EQ(event_type("env_id=1&msg_id=x&status=4&event=deliver", 4), "Deliver:SendFailed");
    EXPECT_EQ(event_type("event=Opened&x", 0), "Deliver:SendSuccessfully"); // the whole key only
}

TEST(NotificationType, OpenAndClickAreRoutedThroughTheTargetsFilter) {
    test_support::TrackingLog t;
    t.sent(5, 0, "bob@example.org", kDay1Ms);
    t.log.store_links(5, {"https://shop.example/"}, kDay1Ms);
    NotifyLog notify(t.path);
    std::vector<std::string> types;
    // A queue target that wants clicks only.
    const Resolver clicks_only = [&](const RoutedEvent& ev) -> std::optional<Destination> {
        types.push_back(ev.type);
        if (ev.type != "Deliver:Click") return std::nullopt;
        return Destination{true, ""};
    };
    auto r = t.recorder();
    r->record(test_support::open_hit(5, 0, kDay1Ms + 1000));
    r->record(test_support::click_hit(5, 0, 1, kDay1Ms + 2000));
    ASSERT_EQ(r->flush(), 2u);
    EXPECT_EQ(notify.route(clicks_only, 100, kDay1Ms + 3000), 2u);
    EXPECT_EQ(types, (std::vector<std::string>{"Deliver:Open", "Deliver:Click"}));
    const auto got = notify.receive("acme", 10, kDay1Ms + 3000, 30'000);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].type, "Deliver:Click");
    EXPECT_EQ(got[0].text.rfind("event=Click&region=cn-hangzhou&env_id=5&", 0), 0u);
    EXPECT_NE(got[0].text.find("&class=human&url=https://shop.example/"), std::string::npos);
}

} // namespace
} // namespace mailpush::notify
