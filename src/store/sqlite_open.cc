#include "store/sqlite_open.h"

#include <filesystem>

namespace parley::store {

Result<sqlite3*> OpenSqlite(const std::string& path, const std::string& what,
                            bool fsync_each_commit) {
  if (path != ":memory:") {
    const auto parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return MakeError(ErrorCode::kUnavailable, "cannot open " + what + " " + path + ": " + why);
  }
  sqlite3_busy_timeout(db, 5000);
  const char* sync = fsync_each_commit ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
  for (const char* sql : {"PRAGMA journal_mode=WAL;", sync}) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string why = err ? err : "unknown error";
      sqlite3_free(err);
      sqlite3_close(db);
      return MakeError(ErrorCode::kUnavailable, "cannot set up " + what + " " + path + ": " + why);
    }
  }
  return db;
}

}  // namespace parley::store
