#include "store/sqlite_store.h"

#include <sched.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <span>

#include "store/sqlite_open.h"
#include "store/sqlite_stmt.h"

namespace parley::store {
namespace {

// Turns are appended in the order they are taken (turn_log, AUTOINCREMENT ids that never come
// back), each holding the id of its session's previous turn: a commit of many sessions' turns
// writes a few pages at the end of the table instead of one page per session, which is what a
// table clustered by session costs. A session's newest turn (its head) is found from
// sessions.last_turn, which the writer brings up to date in bulk every few thousand turns; heads
// newer than that are kept in memory and found again on start-up by reading the turns after
// store_meta's 'heads_upto' (every turn up to that id is reachable from sessions.last_turn).
// A session's row holds what seldom changes (user, channel, conversation number, handoff); its
// turn_count, updated_ms and state are those of its first turn: Load takes them from the head.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY, user_id TEXT NOT NULL, channel TEXT NOT NULL,
  created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, turn_count INTEGER NOT NULL,
  epoch INTEGER NOT NULL, handoff INTEGER NOT NULL, state TEXT NOT NULL, last_turn INTEGER);
CREATE TABLE IF NOT EXISTS turn_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, seq INTEGER NOT NULL,
  epoch INTEGER NOT NULL, time_ms INTEGER NOT NULL, user_text TEXT NOT NULL, reply TEXT NOT NULL,
  source TEXT NOT NULL, intent TEXT NOT NULL, confidence REAL NOT NULL, details TEXT NOT NULL,
  state TEXT, prev INTEGER);
CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  session_id TEXT NOT NULL, time_ms INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_session ON events(session_id);
)sql";

// Files written before the turn log kept turns in a table clustered by (session_id, seq),
// without a state column at first. Their turns move into turn_log, each session's in seq order.
constexpr const char* kMigrateTurns = R"sql(
INSERT INTO turn_log (id, session_id, seq, epoch, time_ms, user_text, reply, source, intent,
                      confidence, details, state, prev)
  SELECT row_number() OVER w, session_id, seq, epoch, time_ms, user_text, reply, source, intent,
         confidence, details, state,
         CASE WHEN lag(session_id) OVER w = session_id THEN row_number() OVER w - 1 END
  FROM turns WINDOW w AS (ORDER BY session_id, seq);
UPDATE sessions SET last_turn = h.id
  FROM (SELECT session_id, max(id) AS id FROM turn_log GROUP BY session_id) AS h
  WHERE h.session_id = sessions.id;
INSERT OR REPLACE INTO store_meta
  VALUES ('heads_upto', (SELECT coalesce(max(id), 0) FROM turn_log));
DROP TABLE turns;
)sql";

// Heads are written to the sessions table once this many sessions or turns have new ones.
constexpr size_t kFlushSessions = 2048;
constexpr int64_t kFlushTurns = 8192;
// The writer gives way once before a commit of fewer turns than this (WriterLoop).
constexpr size_t kGatherTurns = 16;

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       bool durable_fsync) {
  auto db = OpenSqlite(path, "session store", durable_fsync);
  if (!db.ok()) return db.error();
  std::unique_ptr<SqliteStore> store(new SqliteStore(*db));
  if (Status s = store->Exec(kSchema); !s.ok()) return s.error();
  if (Status s = store->Upgrade(); !s.ok()) return s.error();
  if (Status s = store->RecoverHeads(); !s.ok()) return s.error();
  if (path != ":memory:") {
    auto checkpoint_db = OpenSqlite(path, "session store", durable_fsync);
    if (!checkpoint_db.ok()) return checkpoint_db.error();
    store->checkpoint_db_ = *checkpoint_db;
    if (Status s = store->Exec("PRAGMA wal_autocheckpoint=0;"); !s.ok()) return s.error();
    sqlite3_wal_hook(store->db_, &SqliteStore::OnWalCommit, store.get());
    store->checkpointer_ = std::thread([s = store.get()] { s->CheckpointLoop(); });
  }
  return store;
}

// After each commit, on the writer thread. A checkpoint on another connection cannot finish
// while commits keep coming, and the WAL only starts over once one has, so: from kCopyAhead pages
// the checkpointer copies frames in the background; at kRestart pages the writer checkpoints
// itself, which copies only what is left and lets its next commit start the WAL over.
int SqliteStore::OnWalCommit(void* self, sqlite3* db, const char* name, int wal_pages) {
  constexpr int kCopyAhead = 2000;  // 8 MB of 4 KB pages
  constexpr int kRestart = 4000;
  auto* store = static_cast<SqliteStore*>(self);
  if (wal_pages >= kRestart) {
    // Checkpoints exclude each other: wait for a background one rather than fail with BUSY.
    std::lock_guard running(store->checkpoint_run_mu_);
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (wal_pages >= kCopyAhead) {
    {
      std::lock_guard lock(store->checkpoint_mu_);
      store->checkpoint_wanted_ = true;
    }
    store->checkpoint_cv_.notify_one();
  }
  return SQLITE_OK;
}

void SqliteStore::CheckpointLoop() {
  std::unique_lock lock(checkpoint_mu_);
  for (;;) {
    checkpoint_cv_.wait(lock, [this] { return checkpoint_wanted_ || checkpoint_stop_; });
    if (checkpoint_stop_) return;
    checkpoint_wanted_ = false;
    lock.unlock();
    {
      // PASSIVE never blocks the writer's commits.
      std::lock_guard running(checkpoint_run_mu_);
      sqlite3_wal_checkpoint_v2(checkpoint_db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                nullptr);
    }
    lock.lock();
  }
}

SqliteStore::SqliteStore(sqlite3* db) : db_(db), writer_([this] { WriterLoop(); }) {}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_one();
  writer_.join();
  {
    std::lock_guard lock(mu_);
    FlushHeads().ok();  // the next start then has no turns to read again
  }
  if (checkpointer_.joinable()) {
    {
      std::lock_guard lock(checkpoint_mu_);
      checkpoint_stop_ = true;
    }
    checkpoint_cv_.notify_one();
    checkpointer_.join();
  }
  sqlite3_close(checkpoint_db_);
  for (auto& [_, stmt] : stmts_) sqlite3_finalize(stmt);
  sqlite3_close(db_);  // the last connection to close checkpoints what is left
}

sqlite3_stmt* SqliteStore::Prepared(const char* sql) {
  auto it = stmts_.find(sql);
  if (it != stmts_.end()) return it->second;
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) {
    return nullptr;
  }
  stmts_.emplace(sql, s);
  return s;
}

Error SqliteStore::DbError(const std::string& what) const {
  return MakeError(ErrorCode::kUnavailable, "session store: " + what + ": " + sqlite3_errmsg(db_),
                   "store_error");
}

// One statement through the statement cache (no parsing after the first time); mu_ held.
Status SqliteStore::Step(const char* sql) {
  SqliteStmt s(Prepared(sql));
  if (!s.ok()) return DbError(sql);
  const int rc = s.Step();
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return DbError(sql);
  return Status::Ok();
}

Status SqliteStore::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = err ? err : "unknown error";
    sqlite3_free(err);
    return MakeError(ErrorCode::kUnavailable, std::string("session store: ") + why, "store_error");
  }
  return Status::Ok();
}

// A column added since the table was first written; mu_ held or start-up.
Status SqliteStore::AddColumn(const char* table, const char* column, const char* type) {
  const std::string probe =
      std::string("SELECT 1 FROM pragma_table_info('") + table + "') WHERE name = '" + column + "'";
  SqliteStmt q(db_, probe.c_str());
  if (!q.ok()) return DbError("read the schema");
  if (q.Step() == SQLITE_ROW) return Status::Ok();
  const std::string alter =
      std::string("ALTER TABLE ") + table + " ADD COLUMN " + column + " " + type + ";";
  return Exec(alter.c_str());
}

// Brings a file written by an older Parley to this schema (see kMigrateTurns).
Status SqliteStore::Upgrade() {
  if (Status s = AddColumn("sessions", "last_turn", "INTEGER"); !s.ok()) return s;
  bool old_turns = false;
  {
    SqliteStmt q(db_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'turns'");
    if (!q.ok()) return DbError("read the schema");
    old_turns = q.Step() == SQLITE_ROW;
  }
  if (!old_turns) return Status::Ok();
  if (Status s = AddColumn("turns", "state", "TEXT"); !s.ok()) return s;
  if (Status s = Exec("BEGIN IMMEDIATE;"); !s.ok()) return s;
  if (Status s = Exec(kMigrateTurns); !s.ok()) {
    Exec("ROLLBACK;").ok();
    return s;
  }
  return Exec("COMMIT;");
}

// The heads of turns taken after the last flush, read again from the end of the log.
Status SqliteStore::RecoverHeads() {
  std::lock_guard lock(mu_);
  int64_t upto = 0;
  {
    SqliteStmt q(db_, "SELECT value FROM store_meta WHERE key = 'heads_upto'");
    if (!q.ok()) return DbError("read the turn log");
    if (q.Step() == SQLITE_ROW) upto = q.Int(0);
  }
  SqliteStmt q(db_, "SELECT id, session_id, seq FROM turn_log WHERE id > ? ORDER BY id");
  if (!q.ok()) return DbError("read the turn log");
  q.Bind(1, upto);
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    heads_[q.Text(1)] = {q.Int(0), q.Int(2)};
    ++turns_since_flush_;
  }
  return rc == SQLITE_DONE ? Status::Ok() : DbError("read the turn log");
}

// The session's newest turn ({0, 0}: none); mu_ held.
Result<SqliteStore::Head> SqliteStore::HeadOf(const std::string& id) {
  if (auto it = heads_.find(id); it != heads_.end()) return it->second;
  SqliteStmt q(
      Prepared("SELECT t.id, t.seq FROM sessions s JOIN turn_log t ON t.id = s.last_turn "
               "WHERE s.id = ?"));
  if (!q.ok()) return DbError("find the newest turn");
  q.Bind(1, id);
  const int rc = q.Step();
  if (rc == SQLITE_ROW) return Head{q.Int(0), q.Int(1)};
  if (rc != SQLITE_DONE) return DbError("find the newest turn");
  return Head{};
}

Result<std::optional<SessionRecord>> SqliteStore::Load(const std::string& id) {
  {
    std::lock_guard lock(queue_mu_);
    if (auto it = unsaved_.find(id); it != unsaved_.end()) {
      return std::optional<SessionRecord>(it->second.record);
    }
  }
  std::lock_guard lock(mu_);
  SqliteStmt q(
      Prepared("SELECT user_id, channel, created_ms, updated_ms, turn_count, epoch, handoff, "
               "state, last_turn FROM sessions WHERE id = ?"));
  if (!q.ok()) return DbError("load");
  q.Bind(1, id);
  const int rc = q.Step();
  if (rc == SQLITE_DONE) return std::optional<SessionRecord>();
  if (rc != SQLITE_ROW) return DbError("load");
  SessionRecord r{id,       q.Text(0), q.Text(1),     q.Int(2), q.Int(3),
                  q.Int(4), q.Int(5),  q.Int(6) != 0, q.Text(7)};
  const auto cached = heads_.find(id);
  const int64_t head = cached != heads_.end() ? cached->second.id : q.Int(8);
  if (head == 0) return std::optional<SessionRecord>(std::move(r));
  SqliteStmt last(
      Prepared("SELECT seq, time_ms, state IS NOT NULL, state FROM turn_log WHERE id = ?"));
  if (!last.ok()) return DbError("load");
  last.Bind(1, head);
  const int lrc = last.Step();
  if (lrc != SQLITE_ROW && lrc != SQLITE_DONE) return DbError("load");
  if (lrc == SQLITE_ROW && last.Int(0) >= r.turn_count) {
    r.turn_count = last.Int(0);
    r.updated_ms = last.Int(1);
    if (last.Int(2) != 0) r.state = last.Text(3);  // NULL: an old file's session row has it
  }
  return std::optional<SessionRecord>(std::move(r));
}

Status SqliteStore::SaveTurn(const SessionRecord& s, const TurnRecord& t,
                             const std::vector<Event>& events) {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Status> result;
  SaveTurnAsync(s, t, events, [&](Status st) {
    std::lock_guard lock(mu);
    result = std::move(st);
    cv.notify_one();
  });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return result.has_value(); });
  return *result;
}

void SqliteStore::SaveTurnAsync(SessionRecord s, TurnRecord t, std::vector<Event> events,
                                SaveDone done) {
  std::unique_lock lock(queue_mu_);
  Unsaved& u = unsaved_[s.id];
  u.record = s;
  ++u.count;
  const bool idle = queue_.empty();
  queue_.push_back({std::move(s), std::move(t), std::move(events), std::move(done), {}});
  lock.unlock();
  if (idle) queue_cv_.notify_one();  // otherwise the writer has not drained the queue yet
}

void SqliteStore::WriterLoop() {
  std::vector<Pending> batch;
  std::unique_lock lock(queue_mu_);
  for (;;) {
    queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything queued is written
    if (queue_.size() < kGatherTurns) {
      // Group commit: let threads that are ready to run queue their turns first. Each commit
      // costs a few system calls and rewrites the log's last page, so under load a batch of
      // 20 costs far less per turn than one of 4; with nothing else to run this returns at once.
      lock.unlock();
      sched_yield();
      lock.lock();
    }
    batch.swap(queue_);
    lock.unlock();
    WriteBatch(batch);
    lock.lock();
    // Only now may Load read these sessions from the database again.
    for (const Pending& p : batch) {
      auto it = unsaved_.find(p.session.id);
      if (it != unsaved_.end() && --it->second.count == 0) unsaved_.erase(it);
    }
    lock.unlock();
    saved_cv_.notify_all();
    for (Pending& p : batch) p.done(std::move(p.status));
    batch.clear();
    lock.lock();
  }
}

void SqliteStore::WriteBatch(std::vector<Pending>& batch) {
  std::lock_guard lock(mu_);
  // One transaction for the whole batch. Should a turn's statement fail in it (not merely be
  // refused, like a turn number already taken, which writes nothing), the batch is rolled back
  // and each turn tried alone, so one bad turn does not take the others down.
  if (!WriteInOne(batch)) {
    for (Pending& p : batch) WriteInOne(std::span<Pending>(&p, 1));
  }
  if (heads_.size() >= kFlushSessions || turns_since_flush_ >= kFlushTurns) {
    FlushHeads().ok();  // on failure the heads stay in memory and the next batch tries again
  }
}

// Writes `turns` in one transaction and sets their statuses; false (with nothing written) when a
// turn's statement failed in a transaction of several. mu_ held.
bool SqliteStore::WriteInOne(std::span<Pending> turns) {
  if (Status st = Step("BEGIN IMMEDIATE"); !st.ok()) {
    for (Pending& p : turns) p.status = st;
    return true;
  }
  HeadUndo undo;
  auto abandon = [&](const std::optional<Status>& why) {
    Step("ROLLBACK").ok();
    for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
      if (it->second) {
        heads_[it->first] = *it->second;
      } else {
        heads_.erase(it->first);
      }
    }
    if (why) {
      for (Pending& p : turns) p.status = *why;
    }
  };
  for (Pending& p : turns) {
    p.status = WriteOne(p.session, p.turn, p.events, undo);
    if (p.status.ok() || p.status.error().code == ErrorCode::kConflict) continue;
    if (turns.size() > 1) {
      abandon(std::nullopt);
      return false;
    }
    abandon(p.status);
    return true;
  }
  if (Status st = Step("COMMIT"); !st.ok()) {
    abandon(st);
    return true;
  }
  turns_since_flush_ += static_cast<int64_t>(undo.size());
  return true;
}

// Writes the heads kept in memory to the sessions table, in key order, in one transaction; mu_
// held, no transaction open.
Status SqliteStore::FlushHeads() {
  if (heads_.empty()) return Status::Ok();
  std::vector<const std::pair<const std::string, Head>*> order;
  order.reserve(heads_.size());
  for (const auto& h : heads_) order.push_back(&h);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->first < b->first; });
  if (Status st = Step("BEGIN IMMEDIATE"); !st.ok()) return st;
  auto rollback = [&](Status st) {
    Step("ROLLBACK").ok();
    return st;
  };
  for (const auto* h : order) {
    SqliteStmt up(Prepared("UPDATE sessions SET last_turn = ? WHERE id = ?"));
    if (!up.ok()) return rollback(DbError("save the newest turns"));
    up.Bind(1, h->second.id).Bind(2, h->first);
    if (up.Step() != SQLITE_DONE) return rollback(DbError("save the newest turns"));
  }
  // Every turn written so far is now reachable from its session's row.
  if (Status st = Step("INSERT OR REPLACE INTO store_meta SELECT 'heads_upto', seq "
                       "FROM sqlite_sequence WHERE name = 'turn_log'");
      !st.ok()) {
    return rollback(st);
  }
  if (Status st = Step("COMMIT"); !st.ok()) return rollback(st);
  heads_.clear();
  turns_since_flush_ = 0;
  return Status::Ok();
}

Status SqliteStore::WriteOne(const SessionRecord& s, const TurnRecord& t,
                             const std::vector<Event>& events, HeadUndo& undo) {
  auto fail = [&](const char* what) { return DbError(what); };
  auto head = HeadOf(s.id);
  if (!head.ok()) return head.error();
  if (t.seq <= head->seq) {
    return MakeError(ErrorCode::kConflict,
                     "session store: turn " + std::to_string(t.seq) + " of session " + s.id +
                         " is already saved",
                     "store_error");
  }
  // The session row changes only with its user, channel, conversation or handoff flag; an
  // unchanged row is not written at all, and not even looked up when this writer wrote it last.
  const bool row_unchanged = head->row_known && head->user_id == s.user_id &&
                             head->channel == s.channel && head->epoch == s.epoch &&
                             head->handoff == s.handoff;
  if (!row_unchanged) {
    SqliteStmt up(
        Prepared("INSERT INTO sessions VALUES (?,?,?,?,?,?,?,?,?,NULL) ON CONFLICT(id) DO UPDATE "
                 "SET user_id=excluded.user_id, channel=excluded.channel, epoch=excluded.epoch, "
                 "handoff=excluded.handoff WHERE user_id IS NOT excluded.user_id OR "
                 "channel IS NOT excluded.channel OR epoch IS NOT excluded.epoch OR "
                 "handoff IS NOT excluded.handoff"));
    if (!up.ok()) return fail("save session");
    up.Bind(1, s.id).Bind(2, s.user_id).Bind(3, s.channel).Bind(4, s.created_ms);
    up.Bind(5, s.updated_ms).Bind(6, s.turn_count).Bind(7, s.epoch);
    up.Bind(8, int64_t{s.handoff}).Bind(9, s.state);
    if (up.Step() != SQLITE_DONE) return fail("save session");
  }
  SqliteStmt turn(
      Prepared("INSERT INTO turn_log (session_id, seq, epoch, time_ms, user_text, reply, source, "
               "intent, confidence, details, state, prev) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"));
  if (!turn.ok()) return fail("save turn");
  turn.Bind(1, s.id).Bind(2, t.seq).Bind(3, t.epoch).Bind(4, t.time_ms).Bind(5, t.user_text);
  turn.Bind(6, t.reply).Bind(7, t.source).Bind(8, t.intent).Bind(9, t.confidence);
  turn.Bind(10, t.details).Bind(11, s.state);
  if (head->id != 0) turn.Bind(12, head->id);
  if (turn.Step() != SQLITE_DONE) return fail("save turn");
  const int64_t id = sqlite3_last_insert_rowid(db_);
  for (const auto& e : events) {
    SqliteStmt ev(Prepared("INSERT INTO events VALUES (?,?,?,?)"));
    if (!ev.ok()) return fail("save event");
    ev.Bind(1, s.id).Bind(2, t.time_ms).Bind(3, e.type).Bind(4, e.data);
    if (ev.Step() != SQLITE_DONE) return fail("save event");
  }
  auto it = heads_.find(s.id);
  undo.emplace_back(s.id, it == heads_.end() ? std::nullopt : std::optional<Head>(it->second));
  heads_[s.id] = {id, t.seq, true, s.user_id, s.channel, s.epoch, s.handoff};
  return Status::Ok();
}

Result<std::vector<TurnRecord>> SqliteStore::History(const std::string& id, int64_t limit,
                                                     int64_t before) {
  std::lock_guard lock(mu_);
  auto head = HeadOf(id);
  if (!head.ok()) return head.error();
  SqliteStmt q(
      Prepared("SELECT seq, epoch, time_ms, user_text, reply, source, intent, confidence, details, "
               "prev FROM turn_log WHERE id = ?"));
  if (!q.ok()) return DbError("history");
  std::vector<TurnRecord> out;
  for (int64_t at = head->id; at != 0 && static_cast<int64_t>(out.size()) < limit;) {
    q.Bind(1, at);
    const int rc = q.Step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return DbError("history");
    if (before <= 0 || q.Int(0) < before) {
      out.push_back({q.Int(0), q.Int(1), q.Int(2), q.Text(3), q.Text(4), q.Text(5), q.Text(6),
                     q.Real(7), q.Text(8)});
    }
    at = q.Int(9);
    q.Reset();
  }
  std::reverse(out.begin(), out.end());
  return out;
}

Result<std::vector<Event>> SqliteStore::Events(const std::string& id) {
  std::lock_guard lock(mu_);
  SqliteStmt q(Prepared("SELECT type, data FROM events WHERE session_id = ? ORDER BY rowid"));
  if (!q.ok()) return DbError("events");
  q.Bind(1, id);
  std::vector<Event> out;
  while (q.Step() == SQLITE_ROW) out.push_back({q.Text(0), q.Text(1)});
  return out;
}

Result<bool> SqliteStore::Delete(const std::string& id) {
  {
    // Turns of the session still queued would bring it back after the delete.
    std::unique_lock queued(queue_mu_);
    saved_cv_.wait(queued, [&] { return !unsaved_.contains(id); });
  }
  std::lock_guard lock(mu_);
  auto head = HeadOf(id);
  if (!head.ok()) return head.error();
  if (Status st = Exec("BEGIN IMMEDIATE;"); !st.ok()) return st.error();
  auto fail = [&] {
    Error e = DbError("delete");
    Exec("ROLLBACK;").ok();
    return e;
  };
  {
    // Newest first, down the chain.
    SqliteStmt del(Prepared("DELETE FROM turn_log WHERE id = ? RETURNING prev"));
    if (!del.ok()) return fail();
    for (int64_t at = head->id; at != 0;) {
      del.Bind(1, at);
      const int rc = del.Step();
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail();
      at = rc == SQLITE_ROW ? del.Int(0) : 0;
      del.Reset();  // the row went in the first step (RETURNING rows are buffered)
    }
  }
  int64_t removed = 0;
  for (const char* sql :
       {"DELETE FROM events WHERE session_id = ?", "DELETE FROM sessions WHERE id = ?"}) {
    SqliteStmt d(Prepared(sql));
    d.Bind(1, id);
    if (!d.ok() || d.Step() != SQLITE_DONE) return fail();
    removed = sqlite3_changes(db_);
  }
  if (Status st = Exec("COMMIT;"); !st.ok()) return st.error();
  heads_.erase(id);
  return removed > 0;
}

}  // namespace parley::store
