// The blocks ListBlockSending shows and UnblockSending lifts (docs/openapi.md): the fatigue
// limit's blocks (table traffic_blocks: kept across restarts, the counters themselves are in
// memory), and the suppression list's unsubscribes and complaints seen as blocks.
#include "mailpush/common/base64.hpp"
#include "mailpush/common/secret_box.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/smtp/command.hpp"
#include "mailpush/sqlite/sqlite.hpp"
#include "mailpush/store/store.hpp"

#include <algorithm>
#include <ctime>

namespace mailpush::store {
using sqlite::Statement;

namespace {
constexpr const char* kBlocksSchema = R"SQL(
CREATE TABLE IF NOT EXISTS traffic_blocks (
  account_id INTEGER NOT NULL REFERENCES accounts(id), sender TEXT NOT NULL, recipient TEXT NOT NULL,
  block_s INTEGER NOT NULL, send_s INTEGER NOT NULL, until_s INTEGER NOT NULL,
  PRIMARY KEY (account_id, sender, recipient));
)SQL";

// What a suppression entry looks like as a block; nullopt for entries that are none (manual,
// hard bounces, unsubscribes recorded at level disabled).
std::optional<Block> as_block(const Suppression& s) {
    std::optional<BlockType> type;
    if (s.source == kSourceUnsubscribe) type = BlockType::unsub;
    if (s.source == kSourceComplaint) type = BlockType::report;
    if (!type || s.scope == "none") return std::nullopt;
    std::string sender;
    if (s.scope.starts_with("mailfrom:")) sender = s.scope.substr(9);
    if (s.scope.starts_with("mailfrom_domain:")) sender = s.scope.substr(16);
    return Block{*type, s.account, sender, s.address, s.created_s, s.created_s, 0, block_reason(*type)};
}

std::string fingerprint(const BlockFilter& f) {
    return std::string(f.type ? to_string(*f.type) : "*") + '|' + common::to_lower(f.sender) + '|' +
           common::to_lower(f.recipient) + '|' + std::to_string(f.begin_s) + '|' + std::to_string(f.end_s);
}

} // namespace

void Store::open_blocks() {
    exec(kBlocksSchema);
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    Statement gone(db_, "DELETE FROM traffic_blocks WHERE until_s<=?");
    gone.bind(1, now);
    gone.step();
    Statement st(db_, "SELECT a.name,b.sender,b.recipient,b.block_s,b.send_s,b.until_s FROM traffic_blocks b "
                      "JOIN accounts a ON a.id=b.account_id");
    while (st.step())
        traffic_.restore_block({BlockType::freq, st.text(0), st.text(1), st.text(2), st.integer(3),
                                st.integer(4), st.integer(5), kReasonTooFrequent});
}

void Store::flush_blocks() {
    auto blocks = traffic_.take_new_blocks();
    if (blocks.empty()) return; // expired rows wait for the next block or restart
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    std::lock_guard lock(db_mutex_);
    try {
        write_blocks(blocks, now);
    } catch (...) {
        traffic_.return_new_blocks(std::move(blocks)); // kept for the next flush: never lost
        throw;
    }
}

void Store::write_blocks(const std::vector<Block>& blocks, std::int64_t now) {
    transaction([&] {
        for (const auto& b : blocks) {
            // A block of a pair whose earlier one has expired replaces that row.
            Statement st(db_,
                         "INSERT INTO traffic_blocks(account_id,sender,recipient,block_s,send_s,until_s) "
                         "SELECT id,?,?,?,?,? FROM accounts WHERE name=? "
                         "ON CONFLICT(account_id,sender,recipient) DO UPDATE SET block_s=excluded.block_s,"
                         "send_s=excluded.send_s,until_s=excluded.until_s");
            st.bind(1, b.sender).bind(2, b.recipient).bind(3, b.block_s).bind(4, b.send_s).bind(5, b.until_s);
            st.bind(6, b.account);
            st.step();
        }
        Statement gone(db_, "DELETE FROM traffic_blocks WHERE until_s<=?");
        gone.bind(1, now);
        gone.step();
    });
}

std::vector<Block> Store::list_blocks(const std::string& account, const BlockFilter& filter,
                                      std::int64_t now_s) {
    flush_blocks(); // blocks started in the last seconds are listed too
    std::vector<Block> out;
    if (!filter.type || *filter.type != BlockType::freq)
        for (const auto& s : list_suppressions(account))
            if (auto b = as_block(s); b && filter.matches(*b)) out.push_back(std::move(*b));
    if (!filter.type || *filter.type == BlockType::freq) {
        std::lock_guard lock(db_mutex_);
        Statement st(db_, "SELECT sender,recipient,block_s,send_s,until_s FROM traffic_blocks "
                          "WHERE account_id=? AND until_s>?");
        st.bind(1, account_id(account)).bind(2, now_s);
        while (st.step()) {
            Block b{BlockType::freq, account,       st.text(0),    st.text(1),
                    st.integer(2),   st.integer(3), st.integer(4), kReasonTooFrequent};
            if (filter.matches(b)) out.push_back(std::move(b));
        }
    }
    std::sort(out.begin(), out.end(), block_before);
    return out;
}

BlockPage Store::block_page(const std::string& account, const BlockFilter& filter, std::size_t max,
                            const std::string& token, std::int64_t now_s) {
    std::size_t offset = 0;
    const std::string print = fingerprint(filter);
    if (!token.empty()) {
        const auto sealed = common::base64_from_url(token);
        const auto payload = sealed ? secrets_->open("v1:" + *sealed) : std::nullopt;
        const auto parts = payload ? common::split_list(*payload, '\n') : std::vector<std::string>{};
        const auto at = parts.size() == 4 ? common::parse_u64(parts[2]) : std::nullopt;
        if (!at || parts[0] != "b1" || parts[1] != account || parts[3] != print)
            throw StoreError(ErrorKind::invalid, "NextToken is not a token of this query");
        offset = *at;
    }
    const auto all = list_blocks(account, filter, now_s);
    BlockPage page;
    for (std::size_t i = offset; i < all.size() && page.rows.size() < max; ++i)
        page.rows.push_back(all[i]);
    if (offset + page.rows.size() < all.size())
        page.next_token = common::base64_to_url(
            secrets_->seal("b1\n" + account + '\n' + std::to_string(offset + page.rows.size()) + '\n' + print)
                .substr(3));
    return page;
}

void Store::unblock(const std::string& account, BlockType type, const std::string& sender,
                    const std::string& recipient, std::int64_t now_s) {
    const std::string rcpt = common::to_lower(std::string(common::trim(recipient)));
    const std::string from = common::to_lower(std::string(common::trim(sender)));
    if (type == BlockType::freq) {
        flush_blocks();
        std::int64_t removed = 0;
        {
            std::lock_guard lock(db_mutex_);
            Statement st(db_, "DELETE FROM traffic_blocks WHERE account_id=? AND sender=? AND recipient=? "
                              "AND until_s>?");
            st.bind(1, account_id(account)).bind(2, from).bind(3, rcpt).bind(4, now_s);
            st.step();
            removed = sqlite3_changes(db_);
        }
        const bool was_blocked = traffic_.clear_fatigue(account, from, rcpt, now_s);
        if (removed == 0 && !was_blocked)
            throw StoreError(ErrorKind::not_found, "no FREQ block of " + rcpt + " for " + from);
        return;
    }
    // UNSUB / REPORT: every entry of that source that stops mail from `sender` to the recipient.
    const std::string_view source = type == BlockType::unsub ? kSourceUnsubscribe : kSourceComplaint;
    std::vector<std::int64_t> ids;
    for (const auto& s : list_suppressions(account))
        if (s.source == source && s.address == rcpt && s.scope != "none" && scope_covers(s.scope, from))
            ids.push_back(s.id);
    if (ids.empty())
        throw StoreError(ErrorKind::not_found,
                         "no " + std::string(to_string(type)) + " block of " + rcpt + " for " + from);
    remove_suppressions(account, ids);
}

} // namespace mailpush::store
