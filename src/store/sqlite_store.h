// SessionStore on an embedded SQLite file in WAL mode. One connection guarded by a mutex, with
// cached statements; SaveTurn calls from many threads are group-committed (the first caller writes
// the turns queued meanwhile in one transaction); each returns only once its turn is committed.
// synchronous=NORMAL in WAL mode makes every committed transaction survive a process crash (kill
// -9); only an OS crash or power loss may drop the last commits (set `durable_fsync` to fsync every
// commit as well).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/session_store.h"

struct sqlite3;
struct sqlite3_stmt;

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
  struct Pending {  // one SaveTurn call waiting for the writer
    const SessionRecord* session;
    const TurnRecord* turn;
    const std::vector<Event>* events;
    Status status;
    bool done = false;
  };

  explicit SqliteStore(sqlite3* db) : db_(db) {}
  Status Exec(const char* sql);
  Status Step(const char* sql);  // cached single statement; mu_ held
  Error DbError(const std::string& what) const;
  sqlite3_stmt* Prepared(const char* sql);  // cached; call with mu_ held
  void WriteBatch(const std::vector<Pending*>& batch);
  Status WriteOne(const SessionRecord& s, const TurnRecord& t, const std::vector<Event>& events);

  std::mutex mu_;  // guards db_ and stmts_
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> stmts_;  // keyed by the SQL literal

  std::mutex queue_mu_;  // guards queue_, writing_ and every Pending::done
  std::condition_variable done_cv_;
  std::vector<Pending*> queue_;
  bool writing_ = false;  // a caller is committing a batch
};

}  // namespace parley::store
