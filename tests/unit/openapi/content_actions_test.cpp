// Ours: templates written, changed, submitted and deleted through actions, under the store's
// rules; a list's file uploaded with each refused row reported by its line; a template previewed
// with sample values. Another account's ids are not found.
#include "action_fixture.hpp"

namespace mailpush::openapi {
namespace {

class ContentActionsTest : public test::ActionFixture {
protected:
    ContentActionsTest()
        : ActionFixture("mailpush-content-actions") {}
    void SetUp() override {
        open();
        store->add_account("acc");
        store->add_account("other");
        store->add_template("other", {"theirs", "s", "b", "", "html"});
        store->add_receiver_list("other", "theirs", "theirs@lists.example", "");
    }
    std::string other_template() { return std::to_string(store->get_template("other", "theirs").id); }
};

TEST_F(ContentActionsTest, ATemplateIsWrittenChangedSubmittedAndDeleted) {
    const auto id = run("CreateTemplate", {{"TemplateName", "welcome"},
                                           {"TemplateSubject", "Hi {UserName}"},
                                           {"TemplateText", "hello"},
                                           {"TemplateType", "1"}})["TemplateId"]
                        .get<std::string>();
    auto t = store->get_template("acc", "welcome");
    EXPECT_EQ(std::to_string(t.id), id);
    EXPECT_EQ(t.type, "text");
    EXPECT_EQ(t.status, "draft");
    run("ModifyTemplate", {{"TemplateId", id}, {"TemplateText", "<p>{NickName}</p>"}, {"TemplateType", "0"}});
    t = store->get_template("acc", "welcome");
    EXPECT_EQ(t.body, "<p>{NickName}</p>");
    EXPECT_EQ(t.subject, "Hi {UserName}"); // left out: kept
    EXPECT_EQ(t.type, "html");
    run("SubmitTemplate", {{"TemplateId", id}});
    EXPECT_EQ(store->get_template("acc", "welcome").status, "submitted");
    EXPECT_THROW(run("SubmitTemplate", {{"TemplateId", id}}), store::StoreError); // submitted already
    const auto preview = run("PreviewTemplate", {{"TemplateId", id}, {"NickName", "Bo"}});
    EXPECT_EQ(preview["Body"], "<p>Bo</p>");
    EXPECT_EQ(preview["Subject"], "Hi ");
    run("DeleteTemplate", {{"TemplateId", id}});
    EXPECT_TRUE(store->list_templates("acc").empty());
}

TEST_F(ContentActionsTest, RefusalsChangeNothing) {
    EXPECT_EQ(code_of("CreateTemplate", {{"TemplateName", "x"}, {"TemplateSubject", "s"}}),
              "MissingParameter");
    EXPECT_EQ(
        code_of(
            "CreateTemplate",
            {{"TemplateName", "x"}, {"TemplateSubject", "s"}, {"TemplateText", "b"}, {"TemplateType", "2"}}),
        "InvalidParameter");
    EXPECT_TRUE(store->list_templates("acc").empty());
    for (const char* action : {"ModifyTemplate", "DeleteTemplate", "SubmitTemplate", "PreviewTemplate"})
        EXPECT_EQ(code_of(action, {{"TemplateId", other_template()}}), "InvalidTemplate.NotFound") << action;
    EXPECT_EQ(store->get_template("other", "theirs").status, "draft");
    const auto theirs = std::to_string(store->get_receiver_list("other", "theirs").id);
    EXPECT_EQ(code_of("UploadReceivers", {{"ReceiverId", theirs}, {"Content", "a@example.org\n"}}),
              "InvalidReceiver.NotFound");
    EXPECT_EQ(store->get_receiver_list("other", "theirs").count, 0);
}

TEST_F(ContentActionsTest, AnUploadReportsEachRefusedRowByItsLine) {
    const auto l = store->add_receiver_list("acc", "customers", "customers@lists.example", "");
    const auto reply =
        run("UploadReceivers", {{"ReceiverId", std::to_string(l.id)},
                                {"Content", "EAddr,UserName\r\na@example.org,Ann\r\nnot-an-address,X\r\n"
                                            "b@example.org,Bo\r\nc@example.org,Cy,extra,,,,,\r\n"}});
    EXPECT_EQ(reply["AddedCount"], 2);
    EXPECT_EQ(reply["RowCount"], 4);
    ASSERT_EQ(reply["ErrorCount"], 2) << reply.dump();
    EXPECT_EQ(reply["Data"]["Detail"][0]["Line"], 3);
    EXPECT_EQ(reply["Data"]["Detail"][0]["Email"], "not-an-address");
    EXPECT_EQ(reply["Data"]["Detail"][1]["Line"], 5); // in the file's order
    EXPECT_EQ(store->get_receiver_list("acc", "customers").count, 2);
    // Again: the same rows are updated, not added twice.
    const auto again = run("UploadReceivers", {{"ReceiverId", std::to_string(l.id)},
                                               {"Content", "a@example.org\nb@example.org\n"}});
    EXPECT_EQ(again["AddedCount"], 0);
    EXPECT_EQ(again["UpdatedCount"], 2);
}

} // namespace
} // namespace mailpush::openapi
