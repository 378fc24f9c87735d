// ListBlockSending / UnblockSending (SDK 1.9): the recipients the account's sends do not reach
// because of an unsubscribe (UNSUB), a complaint (REPORT) or the fatigue limit (FREQ, a
// mailpush extension). docs/openapi.md "Blocks".
#include "actions.hpp"

#include "mailpush/common/strings.hpp"
#include "mailpush/store/store.hpp"

namespace mailpush::openapi::detail {
using nlohmann::json;

namespace {
std::optional<store::BlockType> block_type(const ActionContext& c, bool required) {
    const auto text = required ? c.required("BlockType") : c.optional("BlockType");
    if (text.empty()) return std::nullopt;
    const auto type = store::parse_block_type(text);
    if (!type) throw ApiError{400, "InvalidBlockType.Malformed", "BlockType must be UNSUB, REPORT or FREQ."};
    return type;
}
} // namespace

json list_block_sending(ActionContext& c) {
    store::BlockFilter f;
    f.type = block_type(c, false);
    f.sender = std::string(common::trim(c.optional("SenderEmail")));
    f.recipient = std::string(common::trim(c.optional("BlockEmail")));
    f.begin_s = c.integer("BeginTime", 0, 0, INT64_MAX / 2);
    f.end_s = c.integer("EndTime", 0, 0, INT64_MAX / 2);
    if (f.begin_s && f.end_s && f.end_s < f.begin_s)
        throw ApiError{400, "InvalidParameter", "The parameter EndTime is before BeginTime."};
    const auto max = c.integer("MaxResults", 50, 1, 500);
    store::BlockPage page;
    try {
        page =
            c.store.block_page(c.account, f, static_cast<std::size_t>(max), c.optional("NextToken"), c.now_s);
    } catch (const store::StoreError& e) {
        if (e.kind() == store::ErrorKind::invalid)
            throw ApiError{400, "InvalidNextToken.Malformed",
                           "NextToken is not a token from a ListBlockSending of these parameters."};
        throw;
    }
    json rows = json::array();
    for (const auto& b : page.rows)
        rows.push_back({{"BlockEmail", b.recipient},
                        {"BlockTime", b.block_s},
                        {"SenderEmail", b.sender},
                        {"SendTime", b.send_s},
                        {"Reason", b.reason},
                        {"BlockType", store::to_string(b.type)},
                        {"UntilTime", b.until_s}});
    return {{"Data", rows}, {"MaxResults", max}, {"NextToken", page.next_token}};
}

json unblock_sending(ActionContext& c) {
    const auto recipient = c.required("BlockEmail");
    const auto type = block_type(c, true);
    const auto sender = c.required("SenderEmail");
    try {
        c.store.unblock(c.account, *type, sender, recipient, c.now_s);
    } catch (const store::StoreError& e) {
        if (e.kind() == store::ErrorKind::not_found)
            throw ApiError{404, "InvalidBlock.NotFound",
                           "No " + std::string(store::to_string(*type)) +
                               " block of that recipient for that sender."};
        throw;
    }
    return json::object();
}

} // namespace mailpush::openapi::detail
