// The admin API's route table: matching, the caller check, and errors turned into replies.
#include "../../../src/api/admin_router.hpp" // private to the api module: its table is what is tested

#include "mailpush/api/admin_api.hpp"
#include "mailpush/spool/spool.hpp"
#include "mailpush/store/store.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

namespace mailpush::api {
namespace {
using detail::Access;
using detail::Route;
using detail::RouteCall;
using detail::Router;
using nlohmann::json;

constexpr const char* kToken = "unit-admin-token-0123456789";

ApiResponse nothing(const AdminServices&, const RouteCall&) {
    return {};
}

const Route kRows[] = {
    {"GET", "/v1/things", Access::admin, nothing},
    {"GET", "/v1/things/{name}", Access::admin, nothing},
    {"GET", "/v1/things/{name}/parts", Access::admin, nothing},
    {"POST", "/v1/things/{name}/{action}", Access::admin, nothing},
};

TEST(AdminRouter, MatchesMethodAndSegmentsAndCapturesDecodedSegments) {
    const Router router({kRows});
    const auto m = router.match("GET", detail::split_path("/v1/things/a%20b/parts"));
    ASSERT_EQ(m.route, &kRows[2]);
    EXPECT_EQ(m.params.at("name"), "a b");
    EXPECT_EQ(router.match("GET", detail::split_path("//v1/things/")).route,
              &kRows[0]); // empty segments dropped
    const auto action = router.match("POST", detail::split_path("/v1/things/x/approve"));
    ASSERT_EQ(action.route, &kRows[3]);
    EXPECT_EQ(action.params.at("action"), "approve");
    EXPECT_EQ(router.match("PUT", detail::split_path("/v1/things/x")).route, nullptr);
    EXPECT_EQ(router.match("GET", detail::split_path("/v1/things/x/parts/y")).route, nullptr);
    EXPECT_EQ(router.match("GET", detail::split_path("/v1/other/x")).route, nullptr);
}

TEST(AdminRouter, EveryPatternOfTheTableIsReachable) {
    // A row hidden behind an earlier one with the same method would never run.
    const auto& router = detail::admin_router();
    for (const auto& table :
         {detail::account_routes(), detail::ip_protection_routes(), detail::domain_routes(),
          detail::address_routes(), detail::invalid_address_routes(), detail::queue_routes(),
          detail::access_key_routes(), detail::tag_routes(), detail::receiver_list_routes(),
          detail::template_routes(), detail::task_routes(), detail::report_routes(), detail::notify_routes(),
          detail::health_routes()})
        for (const auto& row : table)
            EXPECT_EQ(router.match(row.method, detail::split_path(row.pattern)).route, &row)
                << row.method << " " << row.pattern;
}

class AdminApiTest : public ::testing::Test {
protected:
    std::filesystem::path dir;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<spool::Spool> spool;
    std::unique_ptr<AdminApi> api;

    void SetUp() override {
        std::string pattern = (std::filesystem::temp_directory_path() / "mailpush-api-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        dir = pattern;
        store::StoreLimits limits;
        limits.password_cost = {64, 1};
        store = std::make_unique<store::Store>((dir / "store.db").string(), limits, "cn-hangzhou");
        spool = std::make_unique<spool::Spool>(spool::SpoolOptions{dir / "spool", 1, 0, "", "mx.test"});
        api = std::make_unique<AdminApi>(*store, *spool, std::vector<std::string>{kToken});
    }
    void TearDown() override {
        api.reset();
        spool.reset();
        store.reset();
        std::filesystem::remove_all(dir);
    }

    ApiResponse call(const std::string& method, const std::string& target, const std::string& body = "",
                     bool with_token = true) {
        ApiRequest r;
        r.method = method;
        r.target = target;
        r.body = body;
        if (with_token) r.authorization = std::string("Bearer ") + kToken;
        return api->handle(r);
    }

    // Drops a table behind the store's back: its next query there fails inside SQLite.
    void drop_table(const char* table) {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open((dir / "store.db").c_str(), &db), SQLITE_OK);
        const std::string sql = std::string("DROP TABLE ") + table;
        EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);
    }

    static std::string error_code(const ApiResponse& r) {
        return json::parse(r.body).at("error").at("code").get<std::string>();
    }
};

TEST_F(AdminApiTest, TheTokenIsCheckedBeforeTheBodyAndTheRoute) {
    EXPECT_EQ(call("GET", "/v1/health", "", false).status, 200u);
    EXPECT_EQ(call("GET", "/v1/accounts", "", false).status, 401u);
    EXPECT_EQ(call("POST", "/v1/health", "", false).status, 401u); // a public path, not this method
    EXPECT_EQ(call("GET", "/v1/nothing", "", false).status, 401u);
    const auto bad_body = call("POST", "/v1/nothing", "{not json");
    EXPECT_EQ(bad_body.status, 400u);
    EXPECT_EQ(error_code(bad_body), "InvalidBody");
    const auto unknown = call("POST", "/v1/health?x=1");
    EXPECT_EQ(unknown.status, 404u);
    EXPECT_EQ(json::parse(unknown.body)["error"]["message"], "no such endpoint: POST /v1/health");
    EXPECT_EQ(json::parse(call("GET", "/v2/x").body)["error"]["message"], "no such endpoint");
}

TEST_F(AdminApiTest, StoreRefusalsKeepTheirStatus) {
    EXPECT_EQ(call("POST", "/v1/accounts", R"({"name":"acme"})").status, 201u);
    EXPECT_EQ(call("POST", "/v1/accounts", R"({"name":"acme"})").status, 409u);
    EXPECT_EQ(call("GET", "/v1/accounts/no%20such").status, 404u);
    EXPECT_EQ(call("POST", "/v1/reply-to/confirm?token=unknown", "", false).status, 404u);
}

TEST_F(AdminApiTest, TheConfirmationLinkShowsAButtonAndConfirmsNothing) {
    const auto page = call("GET", "/v1/reply-to/confirm?token=%3Cb%3E", "", false);
    EXPECT_EQ(page.status, 200u);
    EXPECT_NE(page.body.find("<form method=\"post\""), std::string::npos);
    EXPECT_NE(page.body.find("value=\"&lt;b&gt;\""), std::string::npos); // escaped
    EXPECT_EQ(page.body.find("<b>"), std::string::npos);
}

TEST_F(AdminApiTest, FailedLoginsAreThrottledPerClient) {
    ApiRequest r;
    r.method = "GET";
    r.target = "/v1/accounts";
    r.peer_ip = "192.0.2.1";
    r.authorization = "Bearer wrong";
    for (int i = 0; i < 10; ++i)
        EXPECT_EQ(api->handle(r).status, 401u);
    EXPECT_EQ(api->handle(r).status, 429u);
    r.authorization = std::string("Bearer ") + kToken;
    EXPECT_EQ(api->handle(r).status, 429u); // refused before the token is looked at
    r.peer_ip = "192.0.2.2";
    EXPECT_EQ(api->handle(r).status, 200u);
}

TEST_F(AdminApiTest, AFailureInsideTheUnauthenticatedConfirmationIsA500) {
    drop_table("reply_to_tokens");
    ApiResponse r;
    ASSERT_NO_THROW(r = call("POST", "/v1/reply-to/confirm?token=abc", "", false));
    EXPECT_EQ(r.status, 500u);
    EXPECT_EQ(json::parse(r.body),
              json::parse(R"({"error":{"code":"InternalError","message":"internal error"}})"));
}

TEST_F(AdminApiTest, AFailureInsideAnAdminHandlerIsA500WithoutDetail) {
    drop_table("tags");
    ApiResponse r;
    ASSERT_NO_THROW(r = call("GET", "/v1/tags"));
    EXPECT_EQ(r.status, 500u);
    EXPECT_EQ(r.body.find("tags"), std::string::npos) << r.body;
    EXPECT_EQ(error_code(r), "InternalError");
}

} // namespace
} // namespace mailpush::api
