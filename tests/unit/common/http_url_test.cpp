#include "mailpush/common/http_url.hpp"

#include <gtest/gtest.h>

using mailpush::common::host_header;
using mailpush::common::parse_http_url;
using mailpush::common::url_for_log;

TEST(HttpUrlHostHeader, CarriesThePortUnlessTheSchemeDefault) {
    EXPECT_EQ(host_header(*parse_http_url("http://hooks.example.com/x")), "hooks.example.com");
    EXPECT_EQ(host_header(*parse_http_url("https://hooks.example.com/x")), "hooks.example.com");
    EXPECT_EQ(host_header(*parse_http_url("http://hooks.example.com:8080/x")), "hooks.example.com:8080");
    EXPECT_EQ(host_header(*parse_http_url("https://hooks.example.com:80/x")), "hooks.example.com:80");
    EXPECT_EQ(host_header(*parse_http_url("http://hooks.example.com:80/x")), "hooks.example.com");
    EXPECT_EQ(host_header(*parse_http_url("http://[::1]:9000/")), "[::1]:9000");
    EXPECT_EQ(host_header(*parse_http_url("https://[2001:db8::1]/")), "[2001:db8::1]");
}

TEST(HttpUrlForLog, DropsUserInfoQueryAndFragment) {
    EXPECT_EQ(url_for_log("https://user:secret@hooks.example.com:8443/in?token=abc#f"),
              "https://hooks.example.com:8443/in");
    EXPECT_EQ(url_for_log("http://hooks.example.com/a/b"), "http://hooks.example.com/a/b");
    EXPECT_EQ(url_for_log("http://hooks.example.com/?k=v"), "http://hooks.example.com/");
    EXPECT_EQ(url_for_log("queue"), "queue");
    EXPECT_EQ(url_for_log("http://bad host/"), "(not a URL)");
}
