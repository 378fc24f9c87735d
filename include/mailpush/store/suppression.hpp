// The account's suppression list (docs/suppression.md): addresses and whole domains that no
// send of the account reaches. The decisions (levels, scopes, which entry covers a send) are
// pure functions here; the rows live in the store (src/store/store_suppression.cpp) and the
// SMTP and API paths read them from the Directory's in-memory index, never from SQLite.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mailpush::store {

// Sources of an entry. Hard bounces are the invalid-address library's (no second copy): they
// are listed with source "hard_bounce" and ids from kBounceIdBase up.
inline constexpr std::string_view kSourceManual = "manual", kSourceUnsubscribe = "unsubscribe",
                                  kSourceComplaint = "complaint", kSourceHardBounce = "hard_bounce";
inline constexpr std::int64_t kBounceIdBase = 1'000'000'000'000;

// UnSubscribeFilterLevel / SuppressionListLevel values. "default" is resolved to the account's
// level (SetSuppressionListLevel; "mailfrom" if never set).
enum class FilterLevel { mailfrom, mailfrom_domain, edm_id, disabled };
std::optional<FilterLevel> parse_filter_level(std::string_view text); // not "default"
std::string_view to_string(FilterLevel level);

// What an entry covers, by sender: "" every send of the account (manual, complaint, edm_id
// unsubscribes), "mailfrom:<sender>", "mailfrom_domain:<domain>", "none" (an unsubscribe at
// level disabled: recorded, filters nothing).
std::string scope_for(FilterLevel level, std::string_view sender);
bool scope_covers(std::string_view scope, std::string_view sender);

struct Suppression {
    std::int64_t id = 0;
    std::string account;
    std::string address; // a lower-case mailbox, or a domain (no '@')
    std::string source;  // one of the kSource* values
    std::string scope;
    std::int64_t created_s = 0;
    std::int64_t last_bounce_s = 0; // hard bounces: when recorded; others 0
    bool is_domain() const { return address.find('@') == std::string::npos; }
    // The SDK's Type: "user" (entered by the account) or "system" (bounce, unsubscribe, complaint).
    std::string_view type() const { return source == kSourceManual ? "user" : "system"; }
};

// A recipient a send did not reach because the list covers it (SMTP RCPT refused, API skipped):
// what its delivery event records. `sender` is the sender address (the SMTP AUTH user).
struct SuppressedSend {
    std::string account, sender, mail_from, rcpt, source, tag, subject;
};

// ListUserSuppression's filters; 0 / "" = open. Times are Unix seconds, both ends included.
struct SuppressionFilter {
    std::string address; // exact mailbox or domain, any case
    std::int64_t start_create = 0, end_create = 0, start_bounce = 0, end_bounce = 0;
    bool matches(const Suppression& s) const;
};

// The in-memory index the SMTP and API paths ask (O(1) per recipient). Built by the store
// when the list changes, shared between Directory snapshots.
class SuppressionIndex {
public:
    void add(const std::string& account, const std::string& address_or_domain, std::string source,
             std::string scope);
    // The source of the first entry that stops a send from `sender` to `rcpt`, or nullopt.
    // `unsubscribes` false: unsubscribe entries do not apply (the send's level is disabled).
    std::optional<std::string> match(const std::string& account, std::string_view rcpt,
                                     std::string_view sender, bool unsubscribes) const;
    std::size_t size() const { return entries_.size(); }

private:
    struct Entry {
        std::string source, scope;
    };
    std::unordered_map<std::string, std::vector<Entry>> entries_; // account '\n' lower(address|domain)
};

// ---- one-click unsubscribe policy (src/store/unsubscribe_policy.cpp, pure) ----------------------

enum class LinkType { default_policy, disabled };

// UnSubscribeLinkType (API: "", default, disabled) and X-AliDM-Settings' LinkType (SMTP: also
// zh-cn, en-us, the hosted page's languages: the default policy, our page is English).
// nullopt for anything else.
std::optional<LinkType> parse_link_type(std::string_view text, bool smtp_languages);
// UnSubscribeFilterLevel: "" or "default" -> `account_level`; nullopt for an unknown value.
std::optional<FilterLevel> resolve_filter_level(std::string_view text, FilterLevel account_level);
// default: batch-type sender addresses get the link (every recipient domain); disabled: none.
bool wants_unsubscribe_link(LinkType type, std::string_view sender_type);
// The level an unsubscribe through a message records: the send's, or the sender address level
// when the send filters nothing (an unsubscribe must still stop this sender's mail).
FilterLevel recorded_level(FilterLevel send_level);
// "List-Unsubscribe: <{base}/u/{token}>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
std::string unsubscribe_header_lines(std::string_view base_url, std::string_view token);

// The X-AliDM-Settings header (base64 of {"Version":"1.0","Unsubscribe":{"LinkType":...,
// "FilterLevel":...}}). Fields absent: "". nullopt: not base64, not that JSON, a field not a
// string, or a value parse_link_type / parse_filter_level refuse.
struct AliDmSettings {
    std::string link_type, filter_level;
    bool outbound_ip = false; // an OutboundIp member (an IP pool): refused, there are none
};
std::optional<AliDmSettings> parse_alidm_settings(std::string_view header_value);

// One-click unsubscribe tokens (RFC 8058): what the link carries, sealed (AES-256-GCM under
// the server's unsubscribe key) so it is signed, not enumerable and not readable.
struct UnsubscribeClaim {
    std::string account, sender, recipient;
    FilterLevel level = FilterLevel::mailfrom;
    std::string edm_id; // the send's tag, "" if none
};

} // namespace mailpush::store

namespace mailpush::common {
class SecretBox;
}

namespace mailpush::store {
// URL-safe text (base64url alphabet, no padding).
std::string make_unsubscribe_token(const common::SecretBox& box, const UnsubscribeClaim& claim);
// nullopt for anything not made by make_unsubscribe_token under this key.
std::optional<UnsubscribeClaim> read_unsubscribe_token(const common::SecretBox& box, std::string_view token);
} // namespace mailpush::store
