// SessionStore on an embedded SQLite file in WAL mode. One connection guarded by a mutex:
// turns are small and writes serialise in SQLite anyway. synchronous=NORMAL in WAL mode makes
// every committed transaction survive a process crash (kill -9); only an OS crash or power loss
// may drop the last commits (set `durable_fsync` to fsync every commit as well).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store/session_store.h"

struct sqlite3;

namespace parley::store {

class SqliteStore : public SessionStore {
 public:
  // Creates the parent folder and the schema when missing; ":memory:" keeps nothing on disk.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                   bool durable_fsync = false);
  ~SqliteStore() override;

  Result<std::optional<SessionRecord>> Load(const std::string& id) override;
  Status SaveTurn(const SessionRecord& session, const TurnRecord& turn,
                  const std::vector<Event>& events) override;
  Result<std::vector<TurnRecord>> History(const std::string& id, int64_t limit,
                                          int64_t before) override;
  Result<std::vector<Event>> Events(const std::string& id) override;
  Result<bool> Delete(const std::string& id) override;

 private:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  Status Exec(const char* sql);
  Error DbError(const std::string& what) const;

  std::mutex mu_;
  sqlite3* db_;
};

}  // namespace parley::store
