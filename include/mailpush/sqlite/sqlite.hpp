// Thin RAII helpers over the SQLite C API, shared by every module that keeps a database (the
// store, the delivery log, the notification log). Trusted SQL only: values go through bind().
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace mailpush::sqlite {

class Statement {
public:
    // Throws std::runtime_error with SQLite's message if `sql` does not compile.
    Statement(sqlite3* db, const char* sql);
    ~Statement();
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
    Statement& bind_real(int i, double v) {
        sqlite3_bind_double(stmt_, i, v);
        return *this;
    }
    // true while a row is available
    bool step();
    // Ready to run again with new values (a statement prepared once for a batch of rows).
    Statement& reset() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
        return *this;
    }
    std::string text(int col) const;
    std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
    double real(int col) const { return sqlite3_column_double(stmt_, col); }

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// Runs SQL without results; throws std::runtime_error with SQLite's message.
void exec(sqlite3* db, const char* sql);

enum class Access { read_write, read_only };
// Opens a database of ours (WAL, synchronous=FULL, a 5 s busy timeout); throws
// std::runtime_error naming `what` if it cannot.
sqlite3* open_database(const std::string& path, Access access, const std::string& what);
// Whether `table` has `column` (for columns added to a table after its first release).
bool has_column(sqlite3* db, const std::string& table, const std::string& column);
// Whether the database has a table of this name.
bool has_table(sqlite3* db, const std::string& table);

// BEGIN, body, COMMIT; ROLLBACK and rethrow if the body throws.
template <class Body>
void transaction(sqlite3* db, Body&& body, const char* begin = "BEGIN") {
    exec(db, begin);
    try {
        body();
        exec(db, "COMMIT");
    } catch (...) {
        // SQLite may have rolled back already (SQLITE_FULL, SQLITE_IOERR): keep the first error.
        if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
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

} // namespace mailpush::sqlite
