#include "mailpush/delivery/event_format.hpp"
#include "mailpush/delivery/retry_policy.hpp"

#include <gtest/gtest.h>

namespace mailpush::delivery {
using namespace std::chrono_literals;

TEST(RetryPolicy, ExponentialFromOneMinuteCappedAtOneHour) {
    RetryPolicy p; // SPEC §4 defaults: 1m, doubling, 1h cap, 3 days
    EXPECT_EQ(p.next_delay(1, Retry::yes, 0ms), 1min);
    EXPECT_EQ(p.next_delay(2, Retry::yes, 0ms), 2min);
    EXPECT_EQ(p.next_delay(3, Retry::yes, 0ms), 4min);
    EXPECT_EQ(p.next_delay(7, Retry::yes, 0ms), 60min);
    EXPECT_EQ(p.next_delay(1000, Retry::yes, 0ms), 60min);
}

TEST(RetryPolicy, SlowerClassesWaitFourTimesAsLong) {
    RetryPolicy p;
    EXPECT_EQ(p.next_delay(1, Retry::slower, 0ms), 4min);
    EXPECT_EQ(p.next_delay(2, Retry::slower, 0ms), 8min);
    EXPECT_EQ(p.next_delay(10, Retry::slower, 0ms), 60min);
}

TEST(RetryPolicy, NoRetryAndLifetime) {
    RetryPolicy p;
    EXPECT_EQ(p.next_delay(1, Retry::no, 0ms), std::nullopt);
    EXPECT_EQ(p.next_delay(5, Retry::yes, 72h - 10min), std::nullopt); // next try would be past 3 days
    EXPECT_EQ(p.next_delay(5, Retry::yes, 72h - 20min), 16min);
}

TEST(EventFormat, DeliveryEventMatchesTheSeedsSampleByteForByte) {
    DeliveryEvent e;
    e.env_id = 12769055421;
    e.msg_id = "37483d95-7a08-41fb-9738-3d3ffa24d415@alibaba.com";
    e.account = "dmxxx@xxxtest.com";
    e.from = "dmxxx@xxxtest.com";
    e.rcpt = "dmyyy@xyztest.com";
    // 2017-03-29 14:22:40 and :43 in UTC+8
    e.recv_time = std::chrono::system_clock::from_time_t(1490768560);
    e.end_time = std::chrono::system_clock::from_time_t(1490768563);
    e.status = 0;
    e.region = "cn-hangzhou";
    e.err_code = 250;
    e.err_msg = "250 Send Mail OK";
    e.failed_type = "SendOk";
    EXPECT_EQ(
        format_delivery_event(e, 8 * 3600),
        "env_id=12769055421&msg_id=37483d95-7a08-41fb-9738-3d3ffa24d415@alibaba.com&account=dmxxx@xxxtest.com"
        "&from=dmxxx@xxxtest.com&rcpt=dmyyy@xyztest.com&recv_time=2017-03-29 14:22:40&end_time=2017-03-29 "
        "14:22:43&status=0&event=deliver&region=cn-hangzhou&err_code=250&err_msg=250 Send Mail OK"
        "&failed_type=SendOk");
}

TEST(EventFormat, FailedDeliveryEventAsInTheSeeds) {
    DeliveryEvent e;
    e.env_id = 12625010655;
    e.msg_id = "ac349efc-0d79-489b-affa-f178dce3e49e@alibaba.com";
    e.account = e.from = "ere@zzztest.site";
    e.rcpt = "dmtest@xyztest.com";
    e.recv_time = std::chrono::system_clock::from_time_t(1490699389); // 2017-03-28 19:09:49 +08
    e.end_time = std::chrono::system_clock::from_time_t(1490699391);
    e.status = 4;
    e.region = "cn-hangzhou";
    e.err_code = 524;
    e.err_msg = "524 Host not found by dns resolve [@ou070302]";
    e.failed_type = "SysOutDnsResolveFail";
    EXPECT_EQ(
        format_delivery_event(e, 8 * 3600),
        "env_id=12625010655&msg_id=ac349efc-0d79-489b-affa-f178dce3e49e@alibaba.com&account=ere@zzztest.site"
        "&from=ere@zzztest.site&rcpt=dmtest@xyztest.com&recv_time=2017-03-28 19:09:49&end_time=2017-03-28 "
        "19:09:51&status=4&event=deliver&region=cn-hangzhou&err_code=524&err_msg=524 Host not found by dns "
        "resolve [@ou070302]&failed_type=SysOutDnsResolveFail");
}

TEST(EventFormat, OpenAndClickAsInTheSeeds) {
    TrackingEvent open{"Open",
                       "cn-shanghai",
                       1787028339695694937,
                       "vip@vip.dmtest.com",
                       "825633839@qq.com",
                       std::chrono::system_clock::from_time_t(1574161367),
                       ""}; // 2019-11-19 19:02:47 +08
    EXPECT_EQ(format_tracking_event(open, 8 * 3600),
              "event=Open&region=cn-shanghai&env_id=1787028339695694937&from=vip@vip.dmtest.com&rcpt="
              "825633839@qq.com"
              "&operate_time=2019-11-19 19:02:47");
    TrackingEvent click{"Click",
                        "cn-shanghai",
                        74382063465,
                        "vip@vip.caizhaowang.com",
                        "xujun@vacree.com",
                        std::chrono::system_clock::from_time_t(1574161397),
                        "http://www.bidcenter.com.cn/news-82240467-1.html"};
    EXPECT_EQ(
        format_tracking_event(click, 8 * 3600),
        "event=Click&region=cn-shanghai&env_id=74382063465&from=vip@vip.caizhaowang.com&rcpt=xujun@vacree.com"
        "&operate_time=2019-11-19 19:03:17&url=http://www.bidcenter.com.cn/news-82240467-1.html");
}

TEST(EventFormat, ValuesCannotBreakTheFraming) {
    DeliveryEvent e;
    e.err_code = 550;
    e.err_msg = "550 a&b=c 100%\r\nX";
    const auto s = format_delivery_event(e, 0);
    EXPECT_NE(s.find("&err_msg=550 a%26b=c 100%25%0D%0AX&failed_type="), std::string::npos) << s;
}

} // namespace mailpush::delivery
