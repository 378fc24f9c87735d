// GetTrackList and GetTrackListByMailFromAndTagName: the reply's fields as the SDK models them,
// paging, rates, the human/machine fields, and every refused parameter.
#include "action_fixture.hpp"

#include "mailpush/common/calendar.hpp"
#include "mailpush/store/store.hpp"

#include <gtest/gtest.h>

#include <ctime>

namespace mailpush::openapi {
namespace {
constexpr std::int64_t kDaySeconds = 86'400;

class TrackActionsTest : public test::ActionFixture {
protected:
    TrackActionsTest()
        : ActionFixture("mailpush-track-api") {}
    std::vector<delivery::TrackQuery> queries;

    void SetUp() override {
        backends.track_stats = [this](const delivery::TrackQuery& q) {
            queries.push_back(q);
            delivery::TrackStatRow row{day(0), 3, {4, 2, 2}, {2, 1, 2}, {2, 1, 1}, {1, 1, 1}};
            return std::vector<delivery::TrackStatRow>{row};
        };
        open();
        store->add_account("acc");
    }

    // The local day `ago` days before today.
    std::string day(int ago) const {
        return common::format_time(common::UnixSeconds{std::chrono::seconds{
                                       now + options.utc_offset_minutes * 60 - ago * kDaySeconds}},
                                   common::TimeFormat::date);
    }
};

TEST_F(TrackActionsTest, GetTrackListAnswersEveryDayWithTheSdksFields) {
    const auto reply =
        run("GetTrackList", {{"StartTime", day(6)}, {"EndTime", day(0)}, {"AccountName", "n@x.example"}});
    EXPECT_EQ(reply["Total"], 7);
    EXPECT_EQ(reply["TotalPages"], 1);
    EXPECT_EQ(reply["PageNo"], 1);
    EXPECT_EQ(reply["PageSize"], 10);
    EXPECT_EQ(reply["OffsetCreateTime"], "");
    const auto& stats = reply["data"]["stat"];
    ASSERT_EQ(stats.size(), 7u);
    EXPECT_EQ(stats[0]["CreateTime"], day(6));
    EXPECT_EQ(stats[0]["TotalNumber"], "0");
    EXPECT_EQ(stats[0]["RcptOpenRate"], "0%");
    const auto& today = stats[6];
    EXPECT_EQ(today["CreateTime"], day(0));
    EXPECT_EQ(today["TotalNumber"], "3");
    EXPECT_EQ(today["RcptOpenCount"], "4");
    EXPECT_EQ(today["RcptOpenRate"], "133.33%");
    EXPECT_EQ(today["RcptUniqueOpenCount"], "2");
    EXPECT_EQ(today["RcptUniqueOpenRate"], "66.67%");
    EXPECT_EQ(today["RcptClickCount"], "2");
    EXPECT_EQ(today["RcptUniqueClickCount"], "1");
    EXPECT_EQ(today["RcptUniqueClickRate"], "33.33%");
    EXPECT_EQ(today["RcptOpenMachineCount"], "2");
    EXPECT_EQ(today["RcptUniqueOpenHumanCount"], "1");
    EXPECT_EQ(today["RcptUniqueOpenMachineCount"], "2");
    EXPECT_EQ(today["RcptClickHumanCount"], "1");
    ASSERT_EQ(queries.size(), 1u);
    EXPECT_EQ(queries[0].account, "acc");
    EXPECT_EQ(queries[0].mail_from, "n@x.example");
    EXPECT_EQ(queries[0].window.to_ms - queries[0].window.from_ms, 7 * kDaySeconds * 1000);
}

TEST_F(TrackActionsTest, PagesAreDaysAndTheOtherActionHasItsOwnShape) {
    auto reply = run("GetTrackList",
                     {{"StartTime", day(6)}, {"EndTime", day(0)}, {"PageSize", "3"}, {"PageNumber", "3"}});
    EXPECT_EQ(reply["TotalPages"], 3);
    ASSERT_EQ(reply["data"]["stat"].size(), 1u);
    EXPECT_EQ(reply["data"]["stat"][0]["CreateTime"], day(0));
    // 15 days is this action's span; its list is TrackList.Stat and TotalPages a string.
    reply = run(
        "GetTrackListByMailFromAndTagName",
        {{"StartTime", day(15)}, {"EndTime", day(0)}, {"AccountName", "n@x.example"}, {"TagName", "promo"}});
    EXPECT_EQ(reply["Total"], 16);
    EXPECT_EQ(reply["TotalPages"], "2");
    EXPECT_EQ(reply["TrackList"]["Stat"].size(), 10u);
    EXPECT_EQ(queries.back().tag, "promo");
}

TEST_F(TrackActionsTest, BadParametersAreRefusedAndQueryNothing) {
    EXPECT_EQ(code_of("GetTrackList", {{"EndTime", day(0)}}), "MissingParameter");
    EXPECT_EQ(code_of("GetTrackList", {{"StartTime", day(0)}}), "MissingParameter");
    EXPECT_EQ(code_of("GetTrackList", {{"StartTime", day(8)}, {"EndTime", day(0)}}), "InvalidParameter");
    EXPECT_EQ(code_of("GetTrackListByMailFromAndTagName", {{"StartTime", day(16)}, {"EndTime", day(0)}}),
              "InvalidParameter");
    EXPECT_EQ(code_of("GetTrackList", {{"StartTime", day(31)}, {"EndTime", day(30)}}), "InvalidParameter");
    EXPECT_EQ(code_of("GetTrackList", {{"StartTime", day(1)}, {"EndTime", day(2)}}), "InvalidParameter");
    EXPECT_EQ(code_of("GetTrackList", {{"StartTime", "2026/11/24"}, {"EndTime", day(0)}}),
              "InvalidParameter");
    EXPECT_EQ(code_of("GetTrackList", {{"StartTime", day(0)}, {"EndTime", day(0)}, {"TagName", "t"}}),
              "MissingParameter"); // TagName needs AccountName
    EXPECT_EQ(code_of("GetTrackList", {{"StartTime", day(0)}, {"EndTime", day(0)}, {"PageSize", "0"}}),
              "InvalidParameter");
    EXPECT_TRUE(queries.empty());
    backends.track_stats = nullptr;
    EXPECT_EQ(code_of("GetTrackList", {{"StartTime", day(0)}, {"EndTime", day(0)}}), "ServiceUnavailable");
}

TEST_F(TrackActionsTest, FiltersWeDoNotOfferAreRefusedDeprecatedPagingIsIgnored) {
    auto refused = [](const char* action, std::map<std::string, std::string> params) {
        return detail::unsupported_parameter(*detail::find_action(action), params);
    };
    for (const char* p : {"ConfigSetId", "DedicatedIp", "DedicatedIpPoolId", "Esp", "Domain"})
        EXPECT_EQ(refused("GetTrackList", {{p, "x"}}), p);
    for (const char* p : {"ConfigSetId", "DedicatedIp", "DedicatedIpPoolId", "Esp"})
        EXPECT_EQ(refused("GetTrackListByMailFromAndTagName", {{p, "x"}}), p);
    EXPECT_EQ(refused("GetTrackList", {{"OwnerId", "1"}}), "OwnerId");
    for (const char* p :
         {"Offset", "OffsetCreateTime", "OffsetCreateTimeDesc", "Total", "PageNumber", "PageSize"})
        EXPECT_EQ(refused("GetTrackListByMailFromAndTagName", {{p, "1"}}), std::nullopt);
    EXPECT_EQ(run("GetTrackList",
                  {{"StartTime", day(0)}, {"EndTime", day(0)}, {"Offset", "1"}, {"Total", "9"}})["Total"],
              1);
}

} // namespace
} // namespace mailpush::openapi
