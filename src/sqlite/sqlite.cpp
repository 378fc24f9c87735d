#include "mailpush/sqlite/sqlite.hpp"

namespace mailpush::sqlite {

Statement::Statement(sqlite3* db, const char* sql)
    : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
        throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db));
}

Statement::~Statement() {
    sqlite3_finalize(stmt_);
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw std::runtime_error(std::string("sqlite step: ") + sqlite3_errmsg(db_));
}

std::string Statement::text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
}

bool has_column(sqlite3* db, const std::string& table, const std::string& column) {
    Statement st(db, ("SELECT name FROM pragma_table_info('" + table + "')").c_str());
    while (st.step())
        if (st.text(0) == column) return true;
    return false;
}

bool has_table(sqlite3* db, const std::string& table) {
    Statement st(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?");
    st.bind(1, table);
    return st.step();
}

sqlite3* open_database(const std::string& path, Access access, const std::string& what) {
    sqlite3* db = nullptr;
    const int flags =
        (access == Access::read_write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) |
        SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
        const std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        throw std::runtime_error("cannot open " + what + " " + path + ": " + msg);
    }
    sqlite3_busy_timeout(db, 5000);
    if (access == Access::read_only) return db;
    try {
        exec(db, "PRAGMA journal_mode=WAL");
        exec(db, "PRAGMA synchronous=FULL");
    } catch (...) {
        sqlite3_close(db);
        throw;
    }
    return db;
}

void exec(sqlite3* db, const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        throw std::runtime_error("sqlite: " + msg);
    }
}

} // namespace mailpush::sqlite
