#include "knowledge/kb_store.h"

#include <sqlite3.h>

#include <cstring>
#include <filesystem>

#include "store/sqlite_open.h"
#include "store/sqlite_stmt.h"

namespace parley::knowledge {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS kb_documents (
  id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, title TEXT NOT NULL,
  source TEXT NOT NULL, kind TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, bytes INTEGER NOT NULL,
  chunks INTEGER NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS kb_documents_by_source ON kb_documents(source);
CREATE TABLE IF NOT EXISTS kb_chunks (
  id INTEGER PRIMARY KEY AUTOINCREMENT, doc_id INTEGER NOT NULL, idx INTEGER NOT NULL,
  heading TEXT NOT NULL, text TEXT NOT NULL, answer TEXT NOT NULL, terms TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS kb_chunks_by_doc ON kb_chunks(doc_id);
CREATE TABLE IF NOT EXISTS kb_embeddings (
  chunk_id INTEGER NOT NULL, model TEXT NOT NULL, vec BLOB NOT NULL,
  PRIMARY KEY (chunk_id, model));
)sql";

constexpr char kTermSep = '\x1f';

// A vector stored as a blob of floats.
std::vector<float> Floats(std::string_view blob) {
  std::vector<float> v(blob.size() / sizeof(float));
  if (!v.empty()) std::memcpy(v.data(), blob.data(), v.size() * sizeof(float));
  return v;
}

constexpr const char* kDocColumns =
    "SELECT id, name, title, source, kind, hash, bytes, chunks, created_ms, updated_ms "
    "FROM kb_documents ";

DocumentInfo ReadDoc(const store::SqliteStmt& s) {
  return {s.Int(0),  s.Text(1), s.Text(2), s.Text(3), s.Text(4),
          s.Text(5), s.Int(6),  s.Int(7),  s.Int(8),  s.Int(9)};
}

std::string JoinTerms(const std::vector<std::string>& terms) {
  std::string out;
  for (const auto& t : terms) {
    if (!out.empty()) out += kTermSep;
    out += t;
  }
  return out;
}

std::vector<std::string> SplitTerms(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find(kTermSep, start);
    if (end == std::string::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<KbStore>> KbStore::Open(const std::string& path) {
  auto db = store::OpenSqlite(path, "knowledge store");
  if (!db.ok()) return db.error();
  std::unique_ptr<KbStore> store(new KbStore(*db));
  if (Status s = store->Exec(kSchema); !s.ok()) return s.error();
  return store;
}

KbStore::~KbStore() { sqlite3_close(db_); }

Status KbStore::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = err ? err : "unknown error";
    sqlite3_free(err);
    return MakeError(ErrorCode::kInternal, "knowledge store: " + why, "store_error");
  }
  return Status::Ok();
}

Error KbStore::DbError(const std::string& what) const {
  return MakeError(ErrorCode::kInternal, "knowledge store: " + what + ": " + sqlite3_errmsg(db_),
                   "store_error");
}

Result<std::optional<DocumentInfo>> KbStore::FindOne(const char* where, const std::string& arg) {
  std::lock_guard lock(mu_);
  store::SqliteStmt s(db_, (std::string(kDocColumns) + where).c_str());
  if (!s.ok()) return DbError("select");
  s.Bind(1, arg);
  const int rc = s.Step();
  if (rc == SQLITE_ROW) return std::optional<DocumentInfo>(ReadDoc(s));
  if (rc != SQLITE_DONE) return DbError("select");
  return std::optional<DocumentInfo>();
}

Result<std::optional<DocumentInfo>> KbStore::Get(int64_t id) {
  return FindOne("WHERE id = CAST(?1 AS INTEGER)", std::to_string(id));
}
Result<std::optional<DocumentInfo>> KbStore::FindByHash(const std::string& hash) {
  return FindOne("WHERE hash = ?1", hash);
}
Result<std::optional<DocumentInfo>> KbStore::FindBySource(const std::string& source) {
  return FindOne("WHERE source = ?1 ORDER BY id DESC LIMIT 1", source);
}

Result<std::vector<DocumentInfo>> KbStore::List() {
  std::lock_guard lock(mu_);
  store::SqliteStmt s(db_, (std::string(kDocColumns) + "ORDER BY id").c_str());
  std::vector<DocumentInfo> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadDoc(s));
  if (rc != SQLITE_DONE) return DbError("list");
  return out;
}

Result<std::pair<DocumentInfo, std::vector<int64_t>>> KbStore::Insert(
    DocumentInfo info, const std::vector<NewChunk>& chunks, int64_t replace) {
  std::lock_guard lock(mu_);
  if (Status s = Exec("BEGIN IMMEDIATE;"); !s.ok()) return s.error();
  auto fail = [this](const std::string& what) {
    Error e = DbError(what);
    (void)Exec("ROLLBACK;");
    return e;
  };
  if (replace) {
    auto removed = RemoveLocked(replace);
    if (!removed.ok()) {
      (void)Exec("ROLLBACK;");
      return removed.error();
    }
  }
  info.chunks = static_cast<int64_t>(chunks.size());
  store::SqliteStmt d(
      db_,
      "INSERT INTO kb_documents (name, title, source, kind, hash, bytes, chunks, created_ms, "
      "updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  d.Bind(1, info.name).Bind(2, info.title).Bind(3, info.source).Bind(4, info.kind);
  d.Bind(5, info.hash).Bind(6, info.bytes).Bind(7, info.chunks).Bind(8, info.created_ms);
  d.Bind(9, info.updated_ms);
  if (d.Step() != SQLITE_DONE) return fail("insert document");
  info.id = sqlite3_last_insert_rowid(db_);
  std::vector<int64_t> ids;
  ids.reserve(chunks.size());
  store::SqliteStmt c(db_,
                      "INSERT INTO kb_chunks (doc_id, idx, heading, text, answer, terms) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  for (const auto& nc : chunks) {
    c.Reset();
    c.Bind(1, info.id).Bind(2, static_cast<int64_t>(nc.chunk.index)).Bind(3, nc.chunk.heading);
    c.Bind(4, nc.chunk.text).Bind(5, nc.chunk.answer).Bind(6, JoinTerms(nc.terms));
    if (c.Step() != SQLITE_DONE) return fail("insert chunk");
    ids.push_back(sqlite3_last_insert_rowid(db_));
  }
  if (Status s = Exec("COMMIT;"); !s.ok()) {
    (void)Exec("ROLLBACK;");
    return s.error();
  }
  return std::make_pair(std::move(info), std::move(ids));
}

Result<std::vector<int64_t>> KbStore::RemoveLocked(int64_t id) {
  std::vector<int64_t> ids;
  {
    store::SqliteStmt s(db_, "SELECT id FROM kb_chunks WHERE doc_id = ?1 ORDER BY idx");
    s.Bind(1, id);
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) ids.push_back(s.Int(0));
    if (rc != SQLITE_DONE) return DbError("select chunks");
  }
  store::SqliteStmt e(db_,
                      "DELETE FROM kb_embeddings WHERE chunk_id IN (SELECT id FROM kb_chunks "
                      "WHERE doc_id = ?1)");
  store::SqliteStmt c(db_, "DELETE FROM kb_chunks WHERE doc_id = ?1");
  store::SqliteStmt d(db_, "DELETE FROM kb_documents WHERE id = ?1");
  for (store::SqliteStmt* s : {&e, &c, &d}) {
    s->Bind(1, id);
    if (s->Step() != SQLITE_DONE) return DbError("delete document");
  }
  if (sqlite3_changes(db_) == 0) ids.clear();
  return ids;
}

Result<std::vector<int64_t>> KbStore::Remove(int64_t id) {
  std::lock_guard lock(mu_);
  if (Status s = Exec("BEGIN IMMEDIATE;"); !s.ok()) return s.error();
  auto r = RemoveLocked(id);
  if (Status s = Exec(r.ok() ? "COMMIT;" : "ROLLBACK;"); !s.ok()) return s.error();
  return r;
}

Result<std::vector<int64_t>> KbStore::ChunkIds(int64_t doc_id) {
  std::lock_guard lock(mu_);
  store::SqliteStmt s(db_, "SELECT id FROM kb_chunks WHERE doc_id = ?1 ORDER BY idx");
  s.Bind(1, doc_id);
  std::vector<int64_t> ids;
  while (s.Step() == SQLITE_ROW) ids.push_back(s.Int(0));
  return ids;
}

Status KbStore::ForEachChunkTerms(
    const std::function<void(int64_t, std::vector<std::string>)>& fn) {
  std::lock_guard lock(mu_);
  store::SqliteStmt s(db_, "SELECT id, terms FROM kb_chunks");
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) fn(s.Int(0), SplitTerms(s.Text(1)));
  if (rc != SQLITE_DONE) return DbError("load chunks");
  return Status::Ok();
}

Status KbStore::FillHits(std::vector<Hit>* hits) {
  std::lock_guard lock(mu_);
  store::SqliteStmt s(db_,
                      "SELECT c.doc_id, c.idx, c.heading, c.text, c.answer, d.name, d.title "
                      "FROM kb_chunks c JOIN kb_documents d ON d.id = c.doc_id WHERE c.id = ?1");
  for (auto& h : *hits) {
    s.Reset();
    s.Bind(1, h.chunk_id);
    if (s.Step() != SQLITE_ROW) continue;  // removed meanwhile: left with doc_id 0
    h.doc_id = s.Int(0);
    h.chunk = static_cast<int>(s.Int(1));
    h.heading = s.Text(2);
    h.text = s.Text(3);
    h.answer = s.Text(4);
    h.doc_name = s.Text(5);
    h.title = s.Text(6);
  }
  return Status::Ok();
}

Status KbStore::PutEmbeddings(const std::string& model,
                              const std::vector<std::pair<int64_t, std::vector<float>>>& vectors) {
  std::lock_guard lock(mu_);
  if (Status s = Exec("BEGIN IMMEDIATE;"); !s.ok()) return s;
  store::SqliteStmt s(
      db_, "INSERT OR REPLACE INTO kb_embeddings (chunk_id, model, vec) VALUES (?1, ?2, ?3)");
  for (const auto& [id, v] : vectors) {
    s.Reset();
    s.Bind(1, id).Bind(2, model).BindBlob(3, v.data(), v.size() * sizeof(float));
    if (s.Step() != SQLITE_DONE) {
      Error e = DbError("insert embedding");
      (void)Exec("ROLLBACK;");
      return e;
    }
  }
  return Exec("COMMIT;");
}

Status KbStore::ForEachEmbedding(const std::string& model,
                                 const std::function<void(int64_t, std::vector<float>)>& fn) {
  std::lock_guard lock(mu_);
  store::SqliteStmt s(db_, "SELECT chunk_id, vec FROM kb_embeddings WHERE model = ?1");
  s.Bind(1, model);
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) fn(s.Int(0), Floats(s.Blob(1)));
  if (rc != SQLITE_DONE) return DbError("load embeddings");
  return Status::Ok();
}

Result<std::vector<std::pair<int64_t, std::string>>> KbStore::MissingEmbeddings(
    const std::string& model) {
  std::lock_guard lock(mu_);
  store::SqliteStmt s(
      db_,
      "SELECT c.id, c.heading, c.text FROM kb_chunks c WHERE NOT EXISTS (SELECT 1 FROM "
      "kb_embeddings e WHERE e.chunk_id = c.id AND e.model = ?1) ORDER BY c.id");
  s.Bind(1, model);
  std::vector<std::pair<int64_t, std::string>> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    const std::string heading = s.Text(1);
    out.emplace_back(s.Int(0), heading.empty() ? s.Text(2) : heading + "\n" + s.Text(2));
  }
  if (rc != SQLITE_DONE) return DbError("select chunks");
  return out;
}

}  // namespace parley::knowledge
