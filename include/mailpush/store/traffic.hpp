// Acceptance-side traffic rules (docs/accounts.md "Sending-rate rules"): the account submission
// rate and the per sender->recipient fatigue limit, their per-account overrides, and the
// blocks ListBlockSending shows. Pure: values, the field table and the decisions on them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mailpush::store {

// The [accounts] defaults of the rules; 0 = off.
struct TrafficDefaults {
    unsigned submission_rate = 0; // submissions per submission_window
    std::chrono::seconds submission_window{60};
    unsigned fatigue_limit = 0; // messages from one sender address to one recipient per fatigue_window
    std::chrono::seconds fatigue_window{3600};
};

// An account's overrides (nullopt: the configured default). The warm-up fields are stored and
// exposed for the delivery engine; the acceptance side does not read them.
struct TrafficOverrides {
    std::optional<unsigned> submission_rate;
    std::optional<std::chrono::seconds> submission_window;
    std::optional<unsigned> fatigue_limit;
    std::optional<std::chrono::seconds> fatigue_window;
    std::optional<bool> warmup;
    std::optional<unsigned> warmup_start;
    std::optional<unsigned> warmup_growth_percent;
    std::optional<unsigned> warmup_days;
    bool operator==(const TrafficOverrides&) const = default;
};

// One rule in effect: at most `limit` per `window`; limit 0 = off.
struct RateRule {
    unsigned limit = 0;
    std::chrono::seconds window{60};
    bool off() const { return limit == 0 || window.count() <= 0; }
};

struct TrafficRules {
    RateRule submission;
    RateRule fatigue;
};

TrafficRules resolve_traffic(const TrafficDefaults& defaults, const TrafficOverrides& overrides);

// The override fields as one table: the admin API, mailpushctl and the store's rows
// (account_traffic: one row per overridden field) all go through it.
struct TrafficField {
    std::string_view name; // "submission_rate", ...
    std::int64_t min, max;
    bool boolean; // warmup: true/false (stored 1/0)
    std::string_view doc;
};
std::span<const TrafficField> traffic_fields();
const TrafficField* find_traffic_field(std::string_view name);
// Reads and writes one field of the struct as an integer (seconds, 0/1 for booleans).
std::optional<std::int64_t> traffic_value(const TrafficOverrides& o, std::string_view field);
// Sets (value) or clears (nullopt) one field; false for an unknown field or a value out of its
// bounds (nothing changes).
bool set_traffic_value(TrafficOverrides& o, std::string_view field, std::optional<std::int64_t> value);

// ---- blocks (ListBlockSending / UnblockSending) ---------------------------------------------

// UNSUB: the suppression list's unsubscribes; REPORT: its complaints; FREQ (mailpush): the
// fatigue limit's blocks.
enum class BlockType { unsub, report, freq };
std::optional<BlockType> parse_block_type(std::string_view text); // "UNSUB", "REPORT", "FREQ"
std::string_view to_string(BlockType type);

// Reason bits of a block (the SDK's bitset).
inline constexpr int kReasonUnspecified = 0, kReasonNotInterested = 1, kReasonRepetitive = 2,
                     kReasonTooFrequent = 3;
int block_reason(BlockType type);

struct Block {
    BlockType type = BlockType::freq;
    std::string account;
    std::string sender;    // the sender address ("" for an entry covering every sender; a domain
                           // for a mailfrom_domain unsubscribe)
    std::string recipient; // BlockEmail, lower case
    std::int64_t block_s = 0;
    std::int64_t send_s = 0;  // when the blocked send was attempted (FREQ), else the entry's time
    std::int64_t until_s = 0; // FREQ: when it lifts; 0 = until removed
    int reason = kReasonUnspecified;
};

// ListBlockSending's filters; "" / 0 = open. Times in Unix seconds, both ends included.
struct BlockFilter {
    std::optional<BlockType> type; // nullopt: every type
    std::string sender, recipient; // exact, any case
    std::int64_t begin_s = 0, end_s = 0;
    bool matches(const Block& b) const;
};

// Newest block first, then by recipient, sender and type: the order pages are cut in.
bool block_before(const Block& a, const Block& b);

} // namespace mailpush::store
