// The knowledge base service: ingests documents (parse, chunk, index), keeps them in the
// knowledge store, and answers searches with hybrid retrieval (BM25 over the dialog NLU's
// tokenisation, plus HNSW vectors when an embedder is configured, fused by reciprocal rank).
//
// Ownership: owns its store and indexes; the embedder (optional) must outlive it.
// Thread-safety: every method may be called from any thread. Searches share a reader lock on
// the indexes; Add and Remove are serialised among themselves and take the writer lock only to
// swap index entries, after the store has committed, so searches never wait on disk writes.
// All methods block (SQLite, parsing, embedding): call them off the I/O threads.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "knowledge/bm25_index.h"
#include "knowledge/chunker.h"
#include "knowledge/document.h"
#include "knowledge/embedder.h"
#include "knowledge/kb_store.h"
#include "knowledge/vector_index.h"
#include "nlp/normalizer.h"
#include "util/result.h"

namespace parley::knowledge {

struct KbOptions {
  std::string dir;  // holds kb.db and vectors.hnsw; "" keeps everything in memory
  ChunkOptions chunking;
  int64_t max_document_bytes = 10 << 20;
  int64_t max_query_chars = 1000;
  size_t top_k = 5;
  double score_threshold = 0;    // hits scoring below are dropped (0: none)
  Embedder* embedder = nullptr;  // null: lexical retrieval only
  std::function<int64_t()> now_ms;
};

struct AddRequest {
  std::string name;   // file name: decides the kind unless `kind` is set
  std::string bytes;  // raw content
  std::optional<DocKind> kind;
  std::string source;  // path it was read from; "" for uploads
  std::string title;   // "" = from the document, else the name
};

struct AddResult {
  DocumentInfo document;
  bool duplicate = false;  // the same bytes were already stored: nothing changed
  bool replaced = false;   // an older version from the same source was replaced
};

class KnowledgeBase {
 public:
  static Result<std::unique_ptr<KnowledgeBase>> Open(KbOptions options);
  ~KnowledgeBase();  // writes the vector file if it changed

  // Writes pending index files now (the vector file; the store is always committed).
  Status Flush();

  Result<AddResult> Add(const AddRequest& request);
  // Reads a file (size limit checked first); source = its absolute path.
  Result<AddResult> AddFile(const std::string& path);
  Result<std::vector<DocumentInfo>> List();
  Result<DocumentInfo> Remove(int64_t id);

  // The top `k` (0: the configured top-k) chunks for a query, best first. A query without any
  // word (punctuation only) has no hits; one past max_query_chars is an error.
  Result<std::vector<Hit>> Search(std::string_view query, size_t k = 0);
  // Weighted (IDF) Dice overlap of two texts' terms, 0..1: how well a FAQ question matches.
  double Overlap(std::string_view a, std::string_view b) const;

  size_t chunk_count() const;
  size_t document_count() const { return documents_.load(); }  // no disk access
  bool hybrid() const { return options_.embedder != nullptr; }
  const KbOptions& options() const { return options_; }

  // Upload names: a plain file name (no path, traversal, encoded characters, NUL, controls).
  static Status CheckName(std::string_view name);
  Status CheckQuery(std::string_view query) const;

 private:
  KnowledgeBase(KbOptions options, std::shared_ptr<const nlp::Normalizer> normalizer,
                std::unique_ptr<KbStore> store);
  Status LoadIndexes();
  // Embeds chunks (id, text to embed), stores the vectors and adds them to the index.
  Status EmbedChunks(const std::vector<std::pair<int64_t, std::string>>& chunks);
  // Writes the vector file when it changed and `force` or 30 s passed since the last write; the
  // file is a cache of the stored vectors, so one left stale by a crash is rebuilt at Open().
  Status SaveVectors(bool force);
  int64_t Now() const;

  const KbOptions options_;
  std::shared_ptr<const nlp::Normalizer> normalizer_;
  std::unique_ptr<KbStore> store_;
  std::mutex write_mu_;  // serialises Add/Remove
  mutable std::shared_mutex index_mu_;
  Bm25Index bm25_;
  std::unique_ptr<VectorIndex> vectors_;  // null until the first vector (or without embedder)
  std::atomic<size_t> documents_{0};
  bool vectors_dirty_ = false;  // guarded by write_mu_
  bool fresh_file_ = false;     // the vector file matched the store at Open()
  std::chrono::steady_clock::time_point vectors_saved_;
};

std::string Sha256Hex(std::string_view bytes);

}  // namespace parley::knowledge
