// SessionStore on an embedded SQLite file in WAL mode. One connection guarded by a mutex, with
// cached statements. Turns are appended to a log in the order they are taken, each linked to its
// session's previous turn and carrying the session state after it; the session's row changes only
// with its identity (user, channel, conversation, handoff) and, in bulk every few thousand turns,
// with the id of its newest turn (newer ones are kept in memory meanwhile and found again on
// start-up). So a commit of many sessions' turns writes a few pages at the end of the log, not a
// page per session.
// Turns are written by one writer thread that group-commits: everything queued while it commits
// goes into its next transaction (one WAL append), so concurrent turns share the cost of a
// commit. SaveTurn waits for its commit; SaveTurnAsync returns at once and reports later.
// Checkpoints (copying the WAL back into the database, with an fsync) mostly run on a thread and
// connection of their own, so commits seldom wait for one. synchronous=NORMAL in WAL mode makes
// every committed transaction survive a process crash (kill -9); only an OS crash or power loss
// may drop the last commits (set `durable_fsync` to fsync every commit as well).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
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
  ~SqliteStore() override;  // writes what is queued first

  Result<std::optional<SessionRecord>> Load(const std::string& id) override;
  Status SaveTurn(const SessionRecord& session, const TurnRecord& turn,
                  const std::vector<Event>& events) override;
  void SaveTurnAsync(SessionRecord session, TurnRecord turn, std::vector<Event> events,
                     SaveDone done) override;
  Result<std::vector<TurnRecord>> History(const std::string& id, int64_t limit,
                                          int64_t before) override;
  Result<std::vector<Event>> Events(const std::string& id) override;
  Result<bool> Delete(const std::string& id) override;

 private:
  struct Pending {  // one turn waiting for the writer
    SessionRecord session;
    TurnRecord turn;
    std::vector<Event> events;
    SaveDone done;
    Status status;
  };
  struct Unsaved {  // the newest queued record of a session, for Load
    SessionRecord record;
    int count = 0;  // its turns still queued or being written
  };

  struct Head {  // a session's newest turn
    int64_t id = 0;
    int64_t seq = 0;
    // The session row as this writer last wrote it (row_known), so an unchanged one is not
    // even looked up again.
    bool row_known = false;
    std::string user_id, channel;
    int64_t epoch = 0;
    bool handoff = false;
  };
  // heads_ before each turn of a batch, to put back when its commit fails.
  using HeadUndo = std::vector<std::pair<std::string, std::optional<Head>>>;

  explicit SqliteStore(sqlite3* db);
  Status Exec(const char* sql);
  Status AddColumn(const char* table, const char* column, const char* type);
  Status Upgrade();
  Status RecoverHeads();
  Result<Head> HeadOf(const std::string& id);
  Status FlushHeads();
  Status Step(const char* sql);  // cached single statement; mu_ held
  Error DbError(const std::string& what) const;
  sqlite3_stmt* Prepared(const char* sql);  // cached; call with mu_ held
  void WriterLoop();
  void CheckpointLoop();
  static int OnWalCommit(void* self, sqlite3* db, const char* name, int wal_pages);
  void WriteBatch(std::vector<Pending>& batch);
  bool WriteInOne(std::span<Pending> turns);
  Status WriteOne(const SessionRecord& s, const TurnRecord& t, const std::vector<Event>& events,
                  HeadUndo& undo);

  std::mutex mu_;  // guards db_, stmts_, heads_ and turns_since_flush_
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> stmts_;  // keyed by the SQL literal
  // Heads newer than the sessions table's last_turn, by session id.
  std::unordered_map<std::string, Head> heads_;
  int64_t turns_since_flush_ = 0;

  std::mutex queue_mu_;               // guards queue_, unsaved_ and stopping_
  std::condition_variable queue_cv_;  // the writer waits for work
  std::condition_variable saved_cv_;  // a batch was written (Delete waits for a session's turns)
  std::vector<Pending> queue_;
  std::unordered_map<std::string, Unsaved> unsaved_;
  bool stopping_ = false;
  std::thread writer_;

  sqlite3* checkpoint_db_ = nullptr;  // file-backed stores only
  std::mutex checkpoint_mu_;          // guards checkpoint_wanted_ and checkpoint_stop_
  std::mutex checkpoint_run_mu_;      // held while either connection checkpoints
  std::condition_variable checkpoint_cv_;
  bool checkpoint_wanted_ = false;
  bool checkpoint_stop_ = false;
  std::thread checkpointer_;
};

}  // namespace parley::store
