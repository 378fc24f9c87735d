#pragma once
// What the OpenAPI action tests share: a real store in a temp dir (cheap password hashing), the
// send service over the test's backends, and one action run as an account of that store.
#include "../../../src/openapi/actions.hpp" // private to the openapi module: its actions are what is tested
#include "temp_dir.hpp"

#include "mailpush/store/store.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace mailpush::openapi::test {

class ActionFixture : public ::testing::Test {
protected:
    explicit ActionFixture(const char* temp_prefix)
        : temp(temp_prefix) {}

    test_support::TempDir temp;
    std::unique_ptr<store::Store> store;
    OpenApiOptions options;
    OpenApiBackends backends;
    std::unique_ptr<SendService> send;
    AccountSlots slots{2};
    common::ClientOrigin origin = common::ClientOrigin::internal();
    std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));

    // The store (region cn-hangzhou) with the test's changes to the limits, then the send service
    // over `options` and `backends` as they are set now.
    void open(const std::function<void(store::StoreLimits&)>& adjust = {}) {
        store::StoreLimits limits;
        limits.password_cost = {64, 1};
        if (adjust) adjust(limits);
        store = std::make_unique<store::Store>((temp.path() / "s.db").string(), limits, "cn-hangzhou");
        send = std::make_unique<SendService>(*store, options, backends);
    }

    nlohmann::json run(const char* action, const std::map<std::string, std::string>& params,
                       const std::string& account = "acc") {
        detail::ActionContext c{*store, *send, options, backends, account, params, origin, now, slots};
        return detail::find_action(action)->run(c);
    }

    // The ApiError code of the action, "" when it succeeds.
    std::string code_of(const char* action, const std::map<std::string, std::string>& params,
                        const std::string& account = "acc") {
        try {
            run(action, params, account);
        } catch (const ApiError& e) {
            return e.code;
        }
        return "";
    }
};

} // namespace mailpush::openapi::test
