// Which SDK parameters each action refuses instead of dropping (the action table's second column).
#include "../../../src/openapi/actions.hpp" // private to the openapi module: its table is what is tested

#include <gtest/gtest.h>

#include <map>
#include <string>

using namespace mailpush::openapi::detail;

namespace {
std::optional<std::string> refused(const char* action, std::map<std::string, std::string> params) {
    const auto spec = find_action(action);
    EXPECT_TRUE(spec) << action;
    return spec ? unsupported_parameter(*spec, params) : std::nullopt;
}
} // namespace

TEST(UnsupportedParameters, AttachmentsAndTemplatesOfSingleSendMailAreRefusedFlattenedToo) {
    EXPECT_EQ(refused("SingleSendMail", {{"Attachments.1.AttachmentName", "a.txt"}}),
              "Attachments.1.AttachmentName");
    EXPECT_EQ(refused("SingleSendMail", {{"Attachments", "[]"}}), "Attachments");
    EXPECT_EQ(refused("SingleSendMail", {{"Template", "{\"TemplateId\":1}"}}), "Template");
    EXPECT_EQ(refused("SingleSendMail", {{"IpPoolId", "pool-1"}}), "IpPoolId");
    // Supported now (docs/suppression.md): not refused.
    EXPECT_EQ(refused("SingleSendMail", {{"UnSubscribeLinkType", "default"}}), std::nullopt);
}

TEST(UnsupportedParameters, SupportedAndSimilarlyNamedParametersPass) {
    EXPECT_FALSE(refused("SingleSendMail", {{"AccountName", "a@b.c"}, {"Headers", "{}"}, {"TextBody", "x"}}));
    EXPECT_FALSE(refused("BatchSendMail", {{"TemplateName", "t"}}));     // not "Template"
    EXPECT_FALSE(refused("SingleSendMail", {{"AttachmentsX", "1"}}));    // not a flattened Attachments
    EXPECT_EQ(refused("BatchSendMail", {{"Headers", "{}"}}), "Headers"); // a batch has no Headers
}

TEST(UnsupportedParameters, IdentityAssertionsAreRefusedOnEveryAction) {
    for (const char* action : {"SingleSendMail", "DescAccountSummary", "ReceiveNotifications", "CheckDomain"})
        EXPECT_EQ(refused(action, {{"OwnerId", "1"}}), "OwnerId") << action;
    EXPECT_EQ(refused("QueryDomainByParam", {{"ResourceOwnerAccount", "x"}}), "ResourceOwnerAccount");
}

TEST(UnsupportedParameters, FiltersTheReportsDoNotApplyAreRefused) {
    EXPECT_EQ(refused("SenderStatisticsByTagNameAndBatchID", {{"Esp", "gmail"}}), "Esp");
    EXPECT_EQ(refused("SenderStatisticsDetailByParam", {{"ConfigSetId", "1"}}), "ConfigSetId");
    EXPECT_EQ(refused("QueryTaskByParam", {{"Status", "0"}}), "Status");
    EXPECT_FALSE(refused("QueryTaskByParam", {{"KeyWord", "x"}, {"PageNo", "1"}}));
}
