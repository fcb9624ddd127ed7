#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>

#include "store/sqlite_open.h"

namespace parley::store {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY, user_id TEXT NOT NULL, channel TEXT NOT NULL,
  created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, turn_count INTEGER NOT NULL,
  epoch INTEGER NOT NULL, handoff INTEGER NOT NULL, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS turns (
  session_id TEXT NOT NULL, seq INTEGER NOT NULL, epoch INTEGER NOT NULL,
  time_ms INTEGER NOT NULL, user_text TEXT NOT NULL, reply TEXT NOT NULL, source TEXT NOT NULL,
  intent TEXT NOT NULL, confidence REAL NOT NULL, details TEXT NOT NULL,
  PRIMARY KEY (session_id, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
  session_id TEXT NOT NULL, time_ms INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_session ON events(session_id);
)sql";

// A cached prepared statement in use; reset (and unbound) again on scope exit.
class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  ~Stmt() {
    if (s_) sqlite3_reset(s_), sqlite3_clear_bindings(s_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return s_ != nullptr; }
  Stmt& Bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& Bind(int i, double v) {
    sqlite3_bind_double(s_, i, v);
    return *this;
  }
  int Step() { return sqlite3_step(s_); }
  std::string Text(int c) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, c));
    return p ? std::string(p, sqlite3_column_bytes(s_, c)) : std::string();
  }
  int64_t Int(int c) const { return sqlite3_column_int64(s_, c); }
  double Real(int c) const { return sqlite3_column_double(s_, c); }

 private:
  sqlite3_stmt* s_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       bool durable_fsync) {
  auto db = OpenSqlite(path, "session store", durable_fsync);
  if (!db.ok()) return db.error();
  std::unique_ptr<SqliteStore> store(new SqliteStore(*db));
  if (Status s = store->Exec(kSchema); !s.ok()) return s.error();
  return store;
}

SqliteStore::~SqliteStore() {
  for (auto& [_, stmt] : stmts_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
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
  Stmt s(Prepared(sql));
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

Result<std::optional<SessionRecord>> SqliteStore::Load(const std::string& id) {
  std::lock_guard lock(mu_);
  Stmt q(
      Prepared("SELECT user_id, channel, created_ms, updated_ms, turn_count, epoch, handoff, "
               "state FROM sessions WHERE id = ?"));
  if (!q.ok()) return DbError("load");
  q.Bind(1, id);
  const int rc = q.Step();
  if (rc == SQLITE_DONE) return std::optional<SessionRecord>();
  if (rc != SQLITE_ROW) return DbError("load");
  SessionRecord r{id,       q.Text(0), q.Text(1),     q.Int(2), q.Int(3),
                  q.Int(4), q.Int(5),  q.Int(6) != 0, q.Text(7)};
  return std::optional<SessionRecord>(std::move(r));
}

Status SqliteStore::SaveTurn(const SessionRecord& s, const TurnRecord& t,
                             const std::vector<Event>& events) {
  Pending p{&s, &t, &events};
  std::unique_lock lock(queue_mu_);
  queue_.push_back(&p);
  // Group commit: the first caller to find no writer becomes it and commits everything queued
  // meanwhile in one transaction (one WAL append), so concurrent turns share the cost of a
  // commit and a lone caller pays no thread hand-off. Each turn sits in its own savepoint, so
  // one failing turn (e.g. a duplicate turn number) does not take the others down.
  if (!writing_) {
    writing_ = true;
    while (!queue_.empty()) {
      std::vector<Pending*> batch;
      batch.swap(queue_);
      lock.unlock();
      WriteBatch(batch);
      lock.lock();
      for (Pending* q : batch) q->done = true;
      done_cv_.notify_all();
    }
    writing_ = false;
  }
  done_cv_.wait(lock, [&p] { return p.done; });
  return p.status;
}

void SqliteStore::WriteBatch(const std::vector<Pending*>& batch) {
  std::lock_guard lock(mu_);
  if (Status st = Step("BEGIN IMMEDIATE"); !st.ok()) {
    for (Pending* p : batch) p->status = st;
    return;
  }
  // A lone turn is its own transaction; in a batch each turn gets a savepoint.
  const bool alone = batch.size() == 1;
  for (Pending* p : batch) {
    if (!alone) Step("SAVEPOINT turn").ok();
    p->status = WriteOne(*p->session, *p->turn, *p->events);
    if (!alone && !p->status.ok()) Step("ROLLBACK TO turn").ok();
    if (!alone) Step("RELEASE turn").ok();
  }
  if (alone && !batch[0]->status.ok()) {
    Step("ROLLBACK").ok();
    return;
  }
  if (Status st = Step("COMMIT"); !st.ok()) {
    Step("ROLLBACK").ok();
    for (Pending* p : batch) p->status = st;
  }
}

Status SqliteStore::WriteOne(const SessionRecord& s, const TurnRecord& t,
                             const std::vector<Event>& events) {
  auto fail = [&](const char* what) { return DbError(what); };
  Stmt up(Prepared(
      "INSERT INTO sessions VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
      "user_id=excluded.user_id, channel=excluded.channel, updated_ms=excluded.updated_ms, "
      "turn_count=excluded.turn_count, epoch=excluded.epoch, handoff=excluded.handoff, "
      "state=excluded.state"));
  if (!up.ok()) return fail("save session");
  up.Bind(1, s.id).Bind(2, s.user_id).Bind(3, s.channel).Bind(4, s.created_ms);
  up.Bind(5, s.updated_ms).Bind(6, s.turn_count).Bind(7, s.epoch);
  up.Bind(8, int64_t{s.handoff}).Bind(9, s.state);
  if (up.Step() != SQLITE_DONE) return fail("save session");
  Stmt turn(Prepared("INSERT INTO turns VALUES (?,?,?,?,?,?,?,?,?,?)"));
  if (!turn.ok()) return fail("save turn");
  turn.Bind(1, s.id).Bind(2, t.seq).Bind(3, t.epoch).Bind(4, t.time_ms).Bind(5, t.user_text);
  turn.Bind(6, t.reply).Bind(7, t.source).Bind(8, t.intent).Bind(9, t.confidence);
  turn.Bind(10, t.details);
  if (turn.Step() != SQLITE_DONE) return fail("save turn");
  for (const auto& e : events) {
    Stmt ev(Prepared("INSERT INTO events VALUES (?,?,?,?)"));
    if (!ev.ok()) return fail("save event");
    ev.Bind(1, s.id).Bind(2, t.time_ms).Bind(3, e.type).Bind(4, e.data);
    if (ev.Step() != SQLITE_DONE) return fail("save event");
  }
  return Status::Ok();
}

Result<std::vector<TurnRecord>> SqliteStore::History(const std::string& id, int64_t limit,
                                                     int64_t before) {
  std::lock_guard lock(mu_);
  Stmt q(
      Prepared("SELECT seq, epoch, time_ms, user_text, reply, source, intent, confidence, details "
               "FROM turns WHERE session_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?"));
  if (!q.ok()) return DbError("history");
  q.Bind(1, id).Bind(2, before > 0 ? before : INT64_MAX).Bind(3, limit);
  std::vector<TurnRecord> out;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    out.push_back({q.Int(0), q.Int(1), q.Int(2), q.Text(3), q.Text(4), q.Text(5), q.Text(6),
                   q.Real(7), q.Text(8)});
  }
  if (rc != SQLITE_DONE) return DbError("history");
  std::reverse(out.begin(), out.end());
  return out;
}

Result<std::vector<Event>> SqliteStore::Events(const std::string& id) {
  std::lock_guard lock(mu_);
  Stmt q(Prepared("SELECT type, data FROM events WHERE session_id = ? ORDER BY rowid"));
  if (!q.ok()) return DbError("events");
  q.Bind(1, id);
  std::vector<Event> out;
  while (q.Step() == SQLITE_ROW) out.push_back({q.Text(0), q.Text(1)});
  return out;
}

Result<bool> SqliteStore::Delete(const std::string& id) {
  std::lock_guard lock(mu_);
  if (Status st = Exec("BEGIN IMMEDIATE;"); !st.ok()) return st.error();
  int64_t removed = 0;
  for (const char* sql :
       {"DELETE FROM turns WHERE session_id = ?", "DELETE FROM events WHERE session_id = ?",
        "DELETE FROM sessions WHERE id = ?"}) {
    Stmt d(Prepared(sql));
    d.Bind(1, id);
    if (!d.ok() || d.Step() != SQLITE_DONE) {
      Error e = DbError("delete");
      Exec("ROLLBACK;").ok();
      return e;
    }
    removed = sqlite3_changes(db_);
  }
  if (Status st = Exec("COMMIT;"); !st.ok()) return st.error();
  return removed > 0;
}

}  // namespace parley::store
