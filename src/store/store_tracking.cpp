// Tracking in the store: the HMAC keys of tracking tokens (table tracking_keys, the secrets
// sealed under the master key) and the Directory's view of them and of the domains whose
// tracking record (dmtrace.{domain} CNAME) verified. Rotation comes from the admin API.
#include "mailpush/common/calendar.hpp"
#include "mailpush/common/random.hpp"
#include "mailpush/common/secret_box.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/sqlite/sqlite.hpp"
#include "mailpush/store/store.hpp"

namespace mailpush::store {
using sqlite::Statement;

namespace {
constexpr const char* kTrackingSchema = R"SQL(
CREATE TABLE IF NOT EXISTS tracking_keys (
  id INTEGER PRIMARY KEY, secret BLOB NOT NULL, created_s INTEGER NOT NULL,
  retired_s INTEGER NOT NULL DEFAULT 0);
)SQL";
constexpr std::size_t kTrackingSecretBytes = 32;

std::string_view domain_of(std::string_view address) {
    const auto at = address.rfind('@');
    return at == std::string_view::npos ? address : address.substr(at + 1);
}
} // namespace

bool Directory::tracking_verified(std::string_view domain) const {
    return tracking_domains.count(common::to_lower(domain)) != 0;
}

bool Directory::tracking_allowed(std::string_view sender) const {
    return !tracking_requires_cname || tracking_verified(domain_of(sender));
}

void Store::open_tracking() {
    exec(kTrackingSchema);
    Statement any(db_, "SELECT 1 FROM tracking_keys WHERE retired_s=0");
    if (!any.step()) insert_tracking_key(common::unix_seconds_now());
}

void Store::insert_tracking_key(std::int64_t now_s) {
    Statement st(db_, "INSERT INTO tracking_keys(secret, created_s) VALUES(?,?)");
    st.bind(1, secrets_->seal(common::random_bytes(kTrackingSecretBytes))).bind(2, now_s);
    st.step();
}

std::vector<TrackingKeyRecord> Store::read_tracking_keys(bool with_secrets) {
    Statement st(db_, "SELECT id,secret,created_s,retired_s FROM tracking_keys ORDER BY id DESC");
    std::vector<TrackingKeyRecord> out;
    while (st.step()) {
        TrackingKeyRecord k;
        k.id = static_cast<std::uint32_t>(st.integer(0));
        k.created_s = st.integer(2);
        k.retired_s = st.integer(3);
        if (with_secrets) {
            auto secret = secrets_->open(st.text(1));
            if (!secret) continue; // sealed under another master key: cannot verify anything
            k.secret = std::move(*secret);
        }
        out.push_back(std::move(k));
    }
    return out;
}

void Store::load_tracking(Directory& dir) {
    dir.tracking_requires_cname = limits_.tracking_requires_cname;
    dir.tracking_keys = live_tracking_keys(read_tracking_keys(true), common::unix_seconds_now(),
                                           limits_.tracking_key_retention);
    Statement st(db_, "SELECT d.name FROM domain_checks c JOIN domains d ON d.id=c.domain_id "
                      "WHERE c.purpose='tracking' AND c.status='ok'");
    while (st.step())
        dir.tracking_domains.insert(common::to_lower(st.text(0)));
}

TrackingKeyRecord Store::rotate_tracking_key(std::int64_t now_s) {
    {
        std::lock_guard lock(db_mutex_);
        transaction([&] {
            Statement retire(db_, "UPDATE tracking_keys SET retired_s=? WHERE retired_s=0");
            retire.bind(1, now_s);
            retire.step();
            insert_tracking_key(now_s);
            Statement drop(db_, "DELETE FROM tracking_keys WHERE retired_s<>0 AND ?-retired_s>=?");
            drop.bind(1, now_s).bind(2, static_cast<std::int64_t>(limits_.tracking_key_retention.count()));
            drop.step();
        });
    }
    refresh_directory(); // the new key signs from now on
    return list_tracking_keys().front();
}

std::vector<TrackingKeyRecord> Store::list_tracking_keys() {
    std::lock_guard lock(db_mutex_);
    return read_tracking_keys(false);
}

} // namespace mailpush::store
