// Thin RAII helpers over the SQLite C API (private to the store module).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace mailpush::store::detail {

class Statement {
public:
    Statement(sqlite3* db, const char* sql)
        : db_(db) {
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db));
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int i, const std::string& v) {
        sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Statement& bind(int i, std::int64_t v) {
        sqlite3_bind_int64(stmt_, i, v);
        return *this;
    }
    // true while a row is available
    bool step() {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw std::runtime_error(std::string("sqlite step: ") + sqlite3_errmsg(db_));
    }
    std::string text(int col) const {
        const auto* p = sqlite3_column_text(stmt_, col);
        return p ? std::string(reinterpret_cast<const char*>(p),
                               static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
                 : std::string();
    }
    std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// Runs SQL without results; throws std::runtime_error with SQLite's message.
inline void exec(sqlite3* db, const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        throw std::runtime_error("sqlite: " + msg);
    }
}

// BEGIN, body, COMMIT; ROLLBACK and rethrow if the body throws.
template <class Body>
void transaction(sqlite3* db, Body&& body, const char* begin = "BEGIN") {
    exec(db, begin);
    try {
        body();
        exec(db, "COMMIT");
    } catch (...) {
        exec(db, "ROLLBACK");
        throw;
    }
}

// For a database that other connections write too: takes the write lock up front, waiting for
// it (busy timeout). A deferred transaction that reads before it writes fails at once with
// "database is locked" when it upgrades.
template <class Body>
void write_transaction(sqlite3* db, Body&& body) {
    transaction(db, std::forward<Body>(body), "BEGIN IMMEDIATE");
}

} // namespace mailpush::store::detail
