#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "store/memory_store.h"
#include "store/sqlite_store.h"
#include "support/server_process.h"

namespace parley::store {
namespace {

SessionRecord Session(const std::string& id, int64_t turns) {
  return {id, "u1", "web", 1000, 1000 + turns, turns, 1, false, "{\"v\":1}"};
}

// "prefix" + n; built by appending (GCC 12 warns falsely on string("x") + to_string(n)).
std::string Id(const char* prefix, int64_t n) {
  std::string id(prefix);
  id += std::to_string(n);
  return id;
}

TurnRecord Turn(int64_t seq) {
  return {seq, 1, 1000 + seq, "msg " + std::to_string(seq), "reply", "rule", "greet", 0.9, "{}"};
}

// The same contract for every backend.
void ExerciseStore(SessionStore& s) {
  auto none = s.Load("nobody");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  for (int64_t i = 1; i <= 5; ++i) {
    std::vector<Event> events;
    if (i == 3) events.push_back({"handoff", "{\"turn\":3}"});
    ASSERT_TRUE(s.SaveTurn(Session("a", i), Turn(i), events).ok());
  }
  auto rec = s.Load("a");
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->turn_count, 5);
  EXPECT_EQ((*rec)->user_id, "u1");
  auto last2 = s.History("a", 2, 0);
  ASSERT_TRUE(last2.ok());
  ASSERT_EQ(last2->size(), 2u);
  EXPECT_EQ((*last2)[0].seq, 4);  // oldest first
  EXPECT_EQ((*last2)[1].user_text, "msg 5");
  auto before = s.History("a", 10, 3);
  ASSERT_EQ(before->size(), 2u);
  EXPECT_EQ((*before)[1].seq, 2);
  auto events = s.Events("a");
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].type, "handoff");
  // A turn number already taken is refused, not silently overwritten.
  EXPECT_FALSE(s.SaveTurn(Session("a", 5), Turn(5), {}).ok());
  EXPECT_TRUE(*s.Delete("a"));
  EXPECT_FALSE(*s.Delete("a"));
  EXPECT_FALSE(s.Load("a")->has_value());
  EXPECT_TRUE(s.History("a", 10, 0)->empty());
}

TEST(MemoryStoreTest, KeepsTurnsInOrder) {
  MemoryStore s;
  ExerciseStore(s);
}

TEST(SqliteStoreTest, KeepsTurnsInOrder) {
  auto s = SqliteStore::Open(":memory:");
  ASSERT_TRUE(s.ok()) << s.error().message;
  ExerciseStore(**s);
}

TEST(SqliteStoreTest, TurnsSurviveReopeningTheFile) {
  testing::TempDir dir;
  const std::string path = dir.File("sub/parley.db");  // the folder is created
  {
    auto s = SqliteStore::Open(path);
    ASSERT_TRUE(s.ok()) << s.error().message;
    ASSERT_TRUE((*s)->SaveTurn(Session("x", 1), Turn(1), {}).ok());
  }
  auto s = SqliteStore::Open(path);
  ASSERT_TRUE(s.ok());
  auto h = (*s)->History("x", 10, 0);
  ASSERT_EQ(h->size(), 1u);
  EXPECT_EQ((*h)[0].user_text, "msg 1");
  EXPECT_TRUE(std::filesystem::exists(path + "-wal") || std::filesystem::exists(path));
}

TEST(SqliteStoreTest, UsesWalMode) {
  testing::TempDir dir;
  auto s = SqliteStore::Open(dir.File("p.db"));
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->SaveTurn(Session("x", 1), Turn(1), {}).ok());
  EXPECT_TRUE(std::filesystem::exists(dir.File("p.db-wal")));
}

TEST(SqliteStoreTest, ReportsAnUnopenableFile) {
  auto s = SqliteStore::Open("/proc/forbidden/parley.db");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kUnavailable);
}

TEST(SqliteStoreTest, ConcurrentWritersOnDifferentSessionsAllLand) {
  auto s = SqliteStore::Open(":memory:");
  ASSERT_TRUE(s.ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int64_t i = 1; i <= 50; ++i) {
        ASSERT_TRUE((*s)->SaveTurn(Session(Id("s", t), i), Turn(i), {}).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ((*s)->History(Id("s", t), 100, 0)->size(), 50u);
}

TEST(SqliteStoreTest, AsyncSavesLandInOrderAndLoadSeesThemAtOnce) {
  testing::TempDir dir;
  auto s = SqliteStore::Open(dir.File("p.db"));
  ASSERT_TRUE(s.ok());
  std::mutex mu;
  std::condition_variable cv;
  std::vector<int64_t> done;
  for (int64_t i = 1; i <= 200; ++i) {
    (*s)->SaveTurnAsync(Session("q", i), Turn(i), {}, [&, i](Status st) {
      EXPECT_TRUE(st.ok()) << st.error().message;
      std::lock_guard lock(mu);
      done.push_back(i);
      cv.notify_all();
    });
  }
  // Queued or written, the newest record is what Load returns.
  EXPECT_EQ((*(*s)->Load("q"))->turn_count, 200);
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return done.size() == 200; }));
    for (size_t i = 0; i < done.size(); ++i) EXPECT_EQ(done[i], int64_t(i + 1));  // call order
  }
  const auto h = (*s)->History("q", 1000, 0);
  ASSERT_EQ(h->size(), 200u);
  EXPECT_EQ(h->back().seq, 200);
}

TEST(SqliteStoreTest, DeleteWaitsForTheSessionsQueuedTurns) {
  testing::TempDir dir;
  auto s = SqliteStore::Open(dir.File("p.db"));
  ASSERT_TRUE(s.ok());
  for (int64_t i = 1; i <= 100; ++i)
    (*s)->SaveTurnAsync(Session("d", i), Turn(i), {}, [](Status) {});
  EXPECT_TRUE(*(*s)->Delete("d"));
  EXPECT_FALSE((*s)->Load("d")->has_value());
  EXPECT_TRUE((*s)->History("d", 1000, 0)->empty());
}

TEST(SqliteStoreTest, WalStaysBoundedUnderConstantWrites) {
  // A checkpoint on a second connection never catches up with a busy writer by itself; the
  // store must still start the WAL over instead of letting it grow without end.
  testing::TempDir dir;
  const std::string path = dir.File("p.db");
  auto s = SqliteStore::Open(path);
  ASSERT_TRUE(s.ok());
  const std::string state(3000, 'x');     // about a page per session write
  for (int64_t i = 1; i <= 12000; ++i) {  // one commit each
    SessionRecord rec = Session(Id("w", i % 500), i);
    rec.state = state;
    ASSERT_TRUE((*s)->SaveTurn(rec, Turn(i), {}).ok());
  }
  // 12,000 commits wrote over 24,000 pages (100 MB) to the WAL; it restarts past 4,000.
  EXPECT_LT(std::filesystem::file_size(path + "-wal"), 40u << 20);
}

// One value from the file, read with a connection of its own.
std::string Query(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* st = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    out = t ? t : "";
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

TEST(SqliteStoreTest, EachTurnCarriesTheStateAndTheSessionRowOnlyItsIdentity) {
  testing::TempDir dir;
  const std::string path = dir.File("p.db");
  {
    auto s = SqliteStore::Open(path);
    ASSERT_TRUE(s.ok());
    for (int64_t i = 1; i <= 3; ++i) {
      SessionRecord rec = Session("x", i);
      rec.state = "state " + std::to_string(i);
      if (i == 3) rec.handoff = true;
      ASSERT_TRUE((*s)->SaveTurn(rec, Turn(i), {}).ok());
    }
    const auto r = *(*s)->Load("x");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->turn_count, 3);
    EXPECT_EQ(r->updated_ms, 1003);
    EXPECT_EQ(r->state, "state 3");
    EXPECT_TRUE(r->handoff);
  }
  // Turns 2 and 3 did not rewrite the session row's per-turn columns; the handoff flag did change.
  EXPECT_EQ(Query(path, "SELECT state FROM sessions WHERE id = 'x'"), "state 1");
  EXPECT_EQ(Query(path, "SELECT handoff FROM sessions WHERE id = 'x'"), "1");
  EXPECT_EQ(Query(path, "SELECT state FROM turn_log WHERE session_id = 'x' AND seq = 2"),
            "state 2");
}

TEST(SqliteStoreTest, ReadsFilesWrittenBeforeTurnsCarriedTheState) {
  testing::TempDir dir;
  const std::string path = dir.File("old.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    const char* old_schema = R"sql(
      CREATE TABLE sessions (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, channel TEXT NOT NULL,
        created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, turn_count INTEGER NOT NULL,
        epoch INTEGER NOT NULL, handoff INTEGER NOT NULL, state TEXT NOT NULL);
      CREATE TABLE turns (session_id TEXT NOT NULL, seq INTEGER NOT NULL, epoch INTEGER NOT NULL,
        time_ms INTEGER NOT NULL, user_text TEXT NOT NULL, reply TEXT NOT NULL,
        source TEXT NOT NULL, intent TEXT NOT NULL, confidence REAL NOT NULL,
        details TEXT NOT NULL, PRIMARY KEY (session_id, seq)) WITHOUT ROWID;
      INSERT INTO sessions VALUES ('old', 'u', 'web', 1, 1002, 2, 1, 0, 'legacy state');
      INSERT INTO sessions VALUES ('b', 'u', 'web', 1, 1003, 3, 1, 0, 'b state');
      INSERT INTO turns VALUES ('old', 1, 1, 1001, 'a', 'b', 'rule', 'greet', 1, '{}');
      INSERT INTO turns VALUES ('b', 2, 1, 1002, 'b2', 'r', 'rule', 'greet', 1, '{}');
      INSERT INTO turns VALUES ('old', 2, 1, 1002, 'c', 'd', 'rule', 'greet', 1, '{}');
      INSERT INTO turns VALUES ('b', 1, 1, 1001, 'b1', 'r', 'rule', 'greet', 1, '{}');
      INSERT INTO turns VALUES ('b', 3, 1, 1003, 'b3', 'r', 'rule', 'greet', 1, '{}');)sql";
    ASSERT_EQ(sqlite3_exec(db, old_schema, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto s = SqliteStore::Open(path);
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto r = *(*s)->Load("old");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->turn_count, 2);
  EXPECT_EQ(r->state, "legacy state");
  SessionRecord next = *r;
  next.turn_count = 3;
  next.updated_ms = 1003;
  next.state = "new state";
  ASSERT_TRUE((*s)->SaveTurn(next, Turn(3), {}).ok());
  r = *(*s)->Load("old");
  EXPECT_EQ(r->turn_count, 3);
  EXPECT_EQ(r->state, "new state");
  const auto old = *(*s)->History("old", 10, 0);
  ASSERT_EQ(old.size(), 3u);
  EXPECT_EQ(old[1].user_text, "c");
  const auto b = *(*s)->History("b", 10, 0);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].user_text + b[1].user_text + b[2].user_text, "b1b2b3");
  EXPECT_EQ((*(*s)->Load("b"))->turn_count, 3);
  // The old table is gone: its turns moved into the log.
  EXPECT_EQ(Query(path, "SELECT count(*) FROM sqlite_master WHERE name = 'turns'"), "0");
}

// Copies the database and its WAL as they are on disk now, as a process killed at this moment
// would leave them (every SaveTurn that returned is committed to the WAL).
void CopyAsIfKilled(const std::string& from, const std::string& to) {
  namespace fs = std::filesystem;
  fs::copy_file(from, to);
  if (fs::exists(from + "-wal")) fs::copy_file(from + "-wal", to + "-wal");
}

TEST(SqliteStoreTest, NewestTurnsKeptOnlyInMemoryAreFoundAgainAfterACrash) {
  testing::TempDir dir;
  const std::string path = dir.File("p.db");
  auto s = SqliteStore::Open(path);
  ASSERT_TRUE(s.ok());
  for (int64_t i = 1; i <= 30; ++i) {  // ten turns each for three sessions, interleaved
    SessionRecord rec = Session(Id("c", i % 3), (i + 2) / 3);
    rec.state = "after " + std::to_string(i);
    ASSERT_TRUE((*s)->SaveTurn(rec, Turn((i + 2) / 3), {}).ok());
  }
  // Far fewer turns than a flush of the heads takes: the sessions table does not have them yet.
  EXPECT_EQ(Query(path, "SELECT count(*) FROM sessions WHERE last_turn IS NOT NULL"), "0");
  CopyAsIfKilled(path, dir.File("crashed.db"));
  auto again = SqliteStore::Open(dir.File("crashed.db"));
  ASSERT_TRUE(again.ok()) << again.error().message;
  for (int c = 0; c < 3; ++c) {
    const std::string id = Id("c", c);
    const auto h = *(*again)->History(id, 100, 0);
    ASSERT_EQ(h.size(), 10u) << id;
    for (size_t i = 0; i < h.size(); ++i) EXPECT_EQ(h[i].seq, int64_t(i + 1));
    EXPECT_EQ((*(*again)->Load(id))->turn_count, 10);
  }
  EXPECT_EQ((*(*again)->Load("c0"))->state, "after 30");
  // The recovered heads carry on: the next turn links to the newest one, a taken number is
  // refused.
  EXPECT_FALSE((*again)->SaveTurn(Session("c1", 10), Turn(10), {}).ok());
  ASSERT_TRUE((*again)->SaveTurn(Session("c1", 11), Turn(11), {}).ok());
  EXPECT_EQ((*again)->History("c1", 100, 0)->size(), 11u);
}

TEST(SqliteStoreTest, HeadsReachTheSessionsTableInBulkAndStayRight) {
  testing::TempDir dir;
  const std::string path = dir.File("p.db");
  auto s = SqliteStore::Open(path);
  ASSERT_TRUE(s.ok());
  std::atomic<int> failed{0};
  constexpr int64_t kTurns = 9000;  // past one flush (8,192 turns), 300 sessions
  for (int64_t i = 0; i < kTurns; ++i) {
    (*s)->SaveTurnAsync(Session(Id("h", i % 300), i / 300 + 1), Turn(i / 300 + 1), {},
                        [&](Status st) { failed += !st.ok(); });
  }
  ASSERT_TRUE((*s)->SaveTurn(Session("h0", 31), Turn(31), {}).ok());  // after all of those
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(Query(path, "SELECT count(*) FROM sessions WHERE last_turn IS NOT NULL"), "300");
  EXPECT_NE(Query(path, "SELECT value FROM store_meta WHERE key = 'heads_upto'"), "");
  CopyAsIfKilled(path, dir.File("crashed.db"));
  auto again = SqliteStore::Open(dir.File("crashed.db"));
  ASSERT_TRUE(again.ok());
  for (const char* id : {"h0", "h1", "h299"}) {
    const auto h = *(*again)->History(id, 1000, 0);
    ASSERT_EQ(h.size(), std::string(id) == "h0" ? 31u : 30u) << id;
    EXPECT_EQ(h.front().seq, 1);
    EXPECT_EQ((*again)->History(id, 5, 10)->back().seq, 9);  // `before` still bounds the walk
  }
  EXPECT_TRUE(*(*again)->Delete("h1"));
  EXPECT_TRUE((*again)->History("h1", 1000, 0)->empty());
  EXPECT_EQ((*again)->History("h2", 1000, 0)->size(), 30u);
}

TEST(SqliteStoreTest, ARefusedTurnInABatchLeavesTheOthersAndTheChainIntact) {
  auto s = SqliteStore::Open(":memory:");
  ASSERT_TRUE(s.ok());
  std::atomic<int> refused{0};
  for (int64_t seq : {1, 2, 2, 3, 1, 4}) {
    (*s)->SaveTurnAsync(Session("r", seq), Turn(seq), {}, [&](Status st) {
      if (!st.ok()) {
        EXPECT_EQ(st.error().code, ErrorCode::kConflict);
        ++refused;
      }
    });
  }
  ASSERT_TRUE((*s)->SaveTurn(Session("r", 5), Turn(5), {}).ok());
  EXPECT_EQ(refused.load(), 2);
  const auto all = *(*s)->History("r", 100, 0);
  ASSERT_EQ(all.size(), 5u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].seq, int64_t(i + 1));
}

TEST(SqliteStoreTest, ATurnWhoseWriteFailsTakesNoOtherTurnOfItsBatchDown) {
  testing::TempDir dir;
  const std::string path = dir.File("p.db");
  auto s = SqliteStore::Open(path);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->SaveTurn(Session("f0", 1), Turn(1), {}).ok());
  {  // a failure SQLite itself raises, for one message only
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TRIGGER boom BEFORE INSERT ON turn_log "
                           "WHEN NEW.user_text = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END;",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  std::mutex mu;
  std::vector<std::string> failed;
  for (int64_t i = 1; i <= 40; ++i) {
    TurnRecord t = Turn(2);
    if (i == 20) t.user_text = "boom";
    const std::string id = Id("f", i);
    (*s)->SaveTurnAsync(Session(id, 1), Turn(1), {}, [](Status) {});
    (*s)->SaveTurnAsync(Session(id, 2), t, {}, [&, id](Status st) {
      std::lock_guard lock(mu);
      if (!st.ok()) failed.push_back(id);
    });
  }
  ASSERT_TRUE((*s)->SaveTurn(Session("f0", 2), Turn(2), {}).ok());
  ASSERT_EQ(failed, std::vector<std::string>{"f20"});
  for (int i = 1; i <= 40; ++i) {
    const std::string id = Id("f", i);
    EXPECT_EQ((*s)->History(id, 10, 0)->size(), i == 20 ? 1u : 2u) << id;
  }
  // The failed turn left no head behind: the session goes on from its first turn.
  ASSERT_TRUE((*s)->SaveTurn(Session("f20", 2), Turn(2), {}).ok());
  EXPECT_EQ((*s)->History("f20", 10, 0)->size(), 2u);
}

}  // namespace
}  // namespace parley::store
