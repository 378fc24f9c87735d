// A webhook target naming a non-global IP literal is refused when it is set, unless allowed.
#include "temp_dir.hpp"

#include "mailpush/store/store.hpp"

#include <gtest/gtest.h>

namespace mailpush::store {
namespace {
std::unique_ptr<Store> open_store(const std::filesystem::path& dir, bool allow_private) {
    StoreLimits l;
    l.password_cost = {64, 1};
    l.allow_private_notify_targets = allow_private;
    auto s = std::make_unique<Store>((dir / "s.db").string(), l, "cn-hangzhou");
    s->add_account("a");
    return s;
}

std::string refusal(Store& s, const std::string& url) {
    try {
        s.set_notify_target("a", "", url, {}, "");
    } catch (const StoreError& e) {
        return e.what();
    }
    return "";
}
} // namespace

TEST(NotifyTargetScope, NonGlobalLiteralsAreRefusedByDefault) {
    test_support::TempDir temp{"mailpush-notify-scope"};
    auto s = open_store(temp.path(), false);
    for (const auto* url : {"http://127.0.0.1:9000/hook", "http://[::1]/", "http://10.0.0.5/",
                            "https://169.254.169.254/latest/meta-data", "http://[::ffff:192.168.0.1]/",
                            "http://100.64.1.1/", "http://0.0.0.0/"})
        EXPECT_NE(refusal(*s, url).find("is not a global address"), std::string::npos) << url;
    // Names are judged at each POST, on what they then resolve to.
    EXPECT_EQ(refusal(*s, "http://localhost:9000/hook"), "");
    EXPECT_EQ(refusal(*s, "https://8.8.8.8/hook"), "");
    EXPECT_EQ(refusal(*s, "queue"), "");
}

TEST(NotifyTargetScope, AllowedWhenConfigured) {
    test_support::TempDir temp{"mailpush-notify-scope"};
    auto s = open_store(temp.path(), true);
    EXPECT_EQ(refusal(*s, "http://127.0.0.1:9000/hook"), "");
}
} // namespace mailpush::store
