// DKIM keys per sending domain: made at `domain add` (and at startup for domains from before
// DKIM), the private key sealed at rest like access keys, rotated by a published key that
// becomes active once its record verified. The decisions are in dkim_keys.cpp.
#include "mailpush/common/calendar.hpp"
#include "mailpush/common/secret_box.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/dkim/dkim.hpp"
#include "mailpush/sqlite/sqlite.hpp"
#include "mailpush/store/dkim_keys.hpp"
#include "mailpush/store/store.hpp"

#include <sqlite3.h>

#include <algorithm>

namespace mailpush::store {
using sqlite::Statement;

namespace {
constexpr const char* kDkimSchema = R"SQL(
CREATE TABLE IF NOT EXISTS dkim_keys (
  id INTEGER PRIMARY KEY, domain_id INTEGER NOT NULL REFERENCES domains(id), selector TEXT NOT NULL,
  algorithm TEXT NOT NULL, rsa_bits INTEGER NOT NULL, generation INTEGER NOT NULL,
  private_key TEXT NOT NULL, public_key TEXT NOT NULL, state TEXT NOT NULL,
  created_s INTEGER NOT NULL, activated_s INTEGER NOT NULL DEFAULT 0, retired_s INTEGER NOT NULL DEFAULT 0,
  UNIQUE (domain_id, selector));
)SQL";

dkim::Algorithm algorithm_of(const std::string& name) {
    return name == "ed25519" ? dkim::Algorithm::ed25519_sha256 : dkim::Algorithm::rsa_sha256;
}

void check_rsa_bits(int bits) {
    if (bits != 1024 && bits != 2048)
        throw StoreError(ErrorKind::invalid,
                         "DKIM RSA length must be 1024 or 2048, not " + std::to_string(bits));
}
} // namespace

void Store::migrate_dkim() {
    exec(kDkimSchema);
    // Domains from before DKIM get their first key (RSA 2048, active) now.
    std::vector<std::int64_t> without;
    {
        Statement st(db_, "SELECT id FROM domains WHERE id NOT IN (SELECT domain_id FROM dkim_keys)");
        while (st.step())
            without.push_back(st.integer(0));
    }
    const auto now = common::unix_seconds_now();
    for (const auto id : without)
        insert_dkim_key(id, "rsa", 2048, 1, "active", now);
}

void Store::insert_dkim_key(std::int64_t domain_id, const std::string& algorithm, int rsa_bits,
                            int generation, const std::string& state, std::int64_t now_s) {
    const auto pair = dkim::generate_key(algorithm_of(algorithm), rsa_bits);
    Statement st(db_, "INSERT INTO dkim_keys(domain_id,selector,algorithm,rsa_bits,generation,private_key,"
                      "public_key,state,created_s,activated_s) VALUES(?,?,?,?,?,?,?,?,?,?)");
    st.bind(1, domain_id)
        .bind(2, dkim_selector(algorithm, generation))
        .bind(3, algorithm)
        .bind(4, static_cast<std::int64_t>(algorithm == "rsa" ? rsa_bits : 0))
        .bind(5, static_cast<std::int64_t>(generation))
        .bind(6, secrets_->seal(pair.private_pem))
        .bind(7, pair.public_b64)
        .bind(8, state)
        .bind(9, now_s)
        .bind(10, state == "active" ? now_s : std::int64_t{0});
    st.step();
}

std::vector<DkimKey> Store::load_dkim_keys(std::int64_t domain_id) {
    Statement st(db_, "SELECT selector,algorithm,rsa_bits,generation,public_key,state,created_s,activated_s,"
                      "retired_s FROM dkim_keys WHERE domain_id=? ORDER BY generation DESC, algorithm DESC");
    st.bind(1, domain_id);
    std::vector<DkimKey> out;
    while (st.step()) {
        DkimKey k;
        k.selector = st.text(0);
        k.algorithm = st.text(1);
        k.rsa_bits = static_cast<int>(st.integer(2));
        k.generation = static_cast<int>(st.integer(3));
        k.public_b64 = st.text(4);
        k.state = st.text(5);
        k.created_s = st.integer(6);
        k.activated_s = st.integer(7);
        k.retired_s = st.integer(8);
        out.push_back(std::move(k));
    }
    return out;
}

void Store::save_dkim_states(std::int64_t domain_id, const std::vector<DkimKey>& keys) {
    for (const auto& k : keys) {
        Statement st(
            db_, "UPDATE dkim_keys SET state=?, activated_s=?, retired_s=? WHERE domain_id=? AND selector=?");
        st.bind(1, k.state)
            .bind(2, k.activated_s)
            .bind(3, k.retired_s)
            .bind(4, domain_id)
            .bind(5, k.selector);
        st.step();
    }
}

std::vector<DkimKey> Store::dkim_keys(const std::string& domain) {
    std::lock_guard lock(db_mutex_);
    Statement id(db_, "SELECT id FROM domains WHERE name=?");
    id.bind(1, common::to_lower(domain));
    if (!id.step()) throw StoreError(ErrorKind::not_found, "no such domain: " + domain);
    return load_dkim_keys(id.integer(0));
}

std::vector<DkimKey> Store::rotate_dkim(const std::string& domain, int rsa_bits) {
    std::vector<DkimKey> out;
    {
        std::lock_guard lock(db_mutex_);
        Statement id(db_, "SELECT id FROM domains WHERE name=?");
        id.bind(1, common::to_lower(domain));
        if (!id.step()) throw StoreError(ErrorKind::not_found, "no such domain: " + domain);
        const auto domain_id = id.integer(0);
        const auto keys = load_dkim_keys(domain_id);
        if (const auto refusal = rotation_refusal(keys, common::to_lower(domain)); !refusal.empty())
            throw StoreError(ErrorKind::conflict, refusal);
        int generation = 0, current_bits = 2048;
        bool ed25519 = false;
        for (const auto& k : keys) {
            generation = std::max(generation, k.generation);
            if (k.state == "active" && k.algorithm == "rsa") current_bits = k.rsa_bits;
            if (k.state == "active" && k.algorithm == "ed25519") ed25519 = true;
        }
        const int bits = rsa_bits == 0 ? current_bits : rsa_bits;
        check_rsa_bits(bits);
        const auto now = common::unix_seconds_now();
        transaction([&] {
            insert_dkim_key(domain_id, "rsa", bits, generation + 1, "published", now);
            if (ed25519) insert_dkim_key(domain_id, "ed25519", 0, generation + 1, "published", now);
        });
        out = load_dkim_keys(domain_id);
    }
    return out;
}

void Store::load_dkim_signing(Directory& dir) {
    Statement st(db_, "SELECT d.name,k.selector,k.algorithm,k.private_key FROM dkim_keys k JOIN domains d ON "
                      "d.id=k.domain_id WHERE k.state='active' ORDER BY k.algorithm DESC");
    while (st.step()) {
        auto pem = secrets_->open(st.text(3));
        if (!pem) continue; // sealed with another master key: unusable, that key does not sign
        dkim::SigningKey key;
        key.domain = common::to_lower(st.text(0));
        key.selector = st.text(1);
        key.algorithm = algorithm_of(st.text(2));
        key.private_pem = std::move(*pem);
        dir.dkim[key.domain].push_back(std::move(key));
    }
}

} // namespace mailpush::store
