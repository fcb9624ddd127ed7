// The knowledge store: documents, their chunks (with each chunk's index terms, the persisted
// form of the BM25 index) and chunk embeddings, in one SQLite file (WAL). A document and all its
// chunks are written in one transaction, so a crash mid-ingest leaves the previous state.
// One connection guarded by a mutex; every method is thread-safe and blocking.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "knowledge/document.h"
#include "util/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace parley::knowledge {

struct NewChunk {
  Chunk chunk;
  std::vector<std::string> terms;
};

class KbStore {
 public:
  // Creates the parent folder and schema when missing; ":memory:" keeps nothing on disk.
  static Result<std::unique_ptr<KbStore>> Open(const std::string& path);
  ~KbStore();

  Result<std::optional<DocumentInfo>> Get(int64_t id);
  Result<std::optional<DocumentInfo>> FindByHash(const std::string& hash);
  Result<std::optional<DocumentInfo>> FindBySource(const std::string& source);
  Result<std::vector<DocumentInfo>> List();

  // Inserts the document and its chunks, deleting document `replace` (0: none) in the same
  // transaction. Returns the stored record (id filled) and the new chunk ids in order.
  Result<std::pair<DocumentInfo, std::vector<int64_t>>> Insert(DocumentInfo info,
                                                               const std::vector<NewChunk>& chunks,
                                                               int64_t replace);
  // Deletes a document with its chunks and embeddings; returns its chunk ids (empty: none).
  Result<std::vector<int64_t>> Remove(int64_t id);
  Result<std::vector<int64_t>> ChunkIds(int64_t doc_id);

  // Every chunk's id and terms, for rebuilding the lexical index.
  Status ForEachChunkTerms(const std::function<void(int64_t, std::vector<std::string>)>& fn);
  // Hits for chunk ids (doc name, title, heading, text, answer filled; scores left as given).
  Status FillHits(std::vector<Hit>* hits);

  // Stores vectors of chunks in one transaction.
  Status PutEmbeddings(const std::string& model,
                       const std::vector<std::pair<int64_t, std::vector<float>>>& vectors);
  Status ForEachEmbedding(const std::string& model,
                          const std::function<void(int64_t, std::vector<float>)>& fn);
  // Chunks with no embedding for `model`: id and the text to embed.
  Result<std::vector<std::pair<int64_t, std::string>>> MissingEmbeddings(const std::string& model);

 private:
  explicit KbStore(sqlite3* db) : db_(db) {}
  Status Exec(const char* sql);
  Error DbError(const std::string& what) const;
  Result<std::optional<DocumentInfo>> FindOne(const char* where, const std::string& arg);
  Result<std::vector<int64_t>> RemoveLocked(int64_t id);

  std::mutex mu_;
  sqlite3* db_;
};

}  // namespace parley::knowledge
