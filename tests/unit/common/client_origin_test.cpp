#include "mailpush/common/client_origin.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

using mailpush::common::ClientOrigin;

TEST(ClientOrigin, ANetworkClientNeedsAnAddress) {
    EXPECT_THROW(ClientOrigin::network(""), std::invalid_argument);
    const auto client = ClientOrigin::network("192.0.2.7");
    EXPECT_FALSE(client.trusted());
    EXPECT_EQ(client.ip(), "192.0.2.7");
}

TEST(ClientOrigin, TheServerItselfIsTrusted) {
    const auto self = ClientOrigin::internal();
    EXPECT_TRUE(self.trusted());
    EXPECT_EQ(self.ip(), "127.0.0.1");
}
