// A prepared SQLite statement in use, for every Parley store: either owned (prepared here,
// finalized on scope exit) or borrowed from a connection's statement cache (reset and unbound on
// scope exit, ready for its next use). Not thread-safe: callers hold their connection's lock.
#pragma once

#include <sqlite3.h>

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>

namespace parley::store {

class SqliteStmt {
 public:
  // Prepares `sql` on `db`; ok() is false when it does not compile.
  SqliteStmt(sqlite3* db, const char* sql) : owned_(true) {
    sqlite3_prepare_v2(db, sql, -1, &s_, nullptr);
  }
  // A cached statement (may be null: ok() is then false).
  explicit SqliteStmt(sqlite3_stmt* cached) : s_(cached) {}
  ~SqliteStmt() {
    if (!s_) return;
    if (owned_) {
      sqlite3_finalize(s_);
    } else {
      Reset();
    }
  }
  SqliteStmt(const SqliteStmt&) = delete;
  SqliteStmt& operator=(const SqliteStmt&) = delete;

  bool ok() const { return s_ != nullptr; }
  SqliteStmt& Bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  template <std::integral T>
  SqliteStmt& Bind(int i, T v) {
    sqlite3_bind_int64(s_, i, static_cast<sqlite3_int64>(v));
    return *this;
  }
  SqliteStmt& Bind(int i, double v) {
    sqlite3_bind_double(s_, i, v);
    return *this;
  }
  SqliteStmt& BindBlob(int i, const void* p, size_t n) {
    sqlite3_bind_blob(s_, i, p, static_cast<int>(n), SQLITE_TRANSIENT);
    return *this;
  }
  // Ready to run again with new bindings.
  void Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  int Step() { return sqlite3_step(s_); }

  std::string Text(int c) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, c));
    return p ? std::string(p, sqlite3_column_bytes(s_, c)) : std::string();
  }
  int64_t Int(int c) const { return sqlite3_column_int64(s_, c); }
  double Real(int c) const { return sqlite3_column_double(s_, c); }
  // The column's bytes, valid until the next Step or Reset.
  std::string_view Blob(int c) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(s_, c));
    return p ? std::string_view(p, sqlite3_column_bytes(s_, c)) : std::string_view();
  }

 private:
  sqlite3_stmt* s_ = nullptr;
  bool owned_ = false;
};

}  // namespace parley::store
