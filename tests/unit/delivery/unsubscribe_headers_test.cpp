#include "mailpush/delivery/unsubscribe_headers.hpp"

#include <gtest/gtest.h>

namespace mailpush::delivery {

TEST(UnsubscribeHeaders, SettingsHeaderNeverDelivered) {
    const std::string body = "From: a@b.example\r\nX-AliDM-Settings: eyJ9\r\n folded\r\nSubject: "
                             "s\r\n\r\nX-AliDM-Settings: body\r\n";
    EXPECT_EQ(apply_unsubscribe_headers(body, ""),
              "From: a@b.example\r\nSubject: s\r\n\r\nX-AliDM-Settings: body\r\n");
}

TEST(UnsubscribeHeaders, OwnLinesReplaceTheClientsOnes) {
    const std::string body = "List-Unsubscribe: <mailto:x@y>\r\nSubject: s\r\n\r\nbody\r\n";
    const std::string lines =
        "List-Unsubscribe: <https://h/u/T>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n";
    EXPECT_EQ(apply_unsubscribe_headers(body, lines), lines + "Subject: s\r\n\r\nbody\r\n");
}

} // namespace mailpush::delivery
