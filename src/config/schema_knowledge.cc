// The `knowledge:` section of parley.yaml: where the knowledge base lives, what it loads at
// start, how it chunks and retrieves. Kept apart from schema.cc so the knowledge layer's keys
// live in one place.
#include <cstdlib>

#include "config/schema.h"

namespace parley::config {
namespace {

// Numbers with a fraction are strings in the schema (it has no float kind); checked here.
std::function<std::string(const Value&)> Fraction(double max) {
  return [max](const Value& v) -> std::string {
    char* end = nullptr;
    const double d = std::strtod(v.text.c_str(), &end);
    if (v.text.empty() || *end != '\0' || d < 0 || d > max) {
      return "expected a number from 0 to " + std::to_string(static_cast<int64_t>(max));
    }
    return {};
  };
}

double ToDouble(const Value& v) { return std::strtod(v.text.c_str(), nullptr); }

}  // namespace

void AddKnowledgeFields(std::vector<Field>& f) {
  using K = Kind;
  auto add = [&f](Field x) { f.push_back(std::move(x)); };
  add({"knowledge",
       "enabled",
       K::kBool,
       "true",
       "Serve the knowledge base (`/v1/kb/*`) and let the dialog answer from it.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.knowledge.enabled = v.flag; }});
  add({"knowledge",
       "dir",
       K::kPath,
       "data/kb",
       "Folder of the knowledge store (`kb.db`, SQLite) and vector index (`vectors.hnsw`).",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.knowledge.dir = v.text; }});
  add({"knowledge",
       "paths",
       K::kList,
       "[]",
       "Files or folders (.md .txt .html .pdf, FAQ .csv/.jsonl) ingested at start; a file whose "
       "content changed replaces its older version. Relative paths are tried from the working "
       "directory, then beside the config file.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.knowledge.paths = v.items; },
       nullptr,
       "a list of file or folder paths"});
  add({"knowledge",
       "rescan_interval",
       K::kDuration,
       "30s",
       "How often `paths` are scanned again while serving: changed files are re-indexed, new ones "
       "added, deleted ones removed (unchanged files are skipped by modification time). 0: only "
       "at start.",
       0,
       86400000,
       {},
       [](Config& c, const Value& v) { c.knowledge.rescan_interval = Millis(v.number); }});
  add({"knowledge",
       "chunk_tokens",
       K::kInt,
       "256",
       "Chunk size in tokens; chunks follow headings, paragraphs, list items and sentences.",
       16,
       8192,
       {},
       [](Config& c, const Value& v) { c.knowledge.chunk_tokens = v.number; }});
  add({"knowledge",
       "chunk_overlap",
       K::kInt,
       "32",
       "Tokens of a chunk's last sentences repeated at the start of the next one in a section.",
       0,
       4096,
       {},
       [](Config& c, const Value& v) { c.knowledge.chunk_overlap = v.number; }});
  add({"knowledge",
       "top_k",
       K::kInt,
       "5",
       "Hits returned by a search when `k` is not given.",
       1,
       100,
       {},
       [](Config& c, const Value& v) { c.knowledge.top_k = v.number; }});
  add({"knowledge",
       "score_threshold",
       K::kString,
       "0",
       "Hits scoring below this are dropped (BM25 score when lexical only, reciprocal-rank "
       "fusion score when hybrid); 0 keeps all.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.knowledge.score_threshold = ToDouble(v); },
       Fraction(1000),
       "a number, 0 or more"});
  add({"knowledge",
       "faq_threshold",
       K::kString,
       "0.6",
       "A FAQ question matching the message at least this well (0..1, weighted term overlap) "
       "answers with its answer directly.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.knowledge.faq_threshold = ToDouble(v); },
       Fraction(1),
       "a number from 0 to 1"});
  add({"knowledge",
       "answer_threshold",
       K::kString,
       "0.35",
       "Share of the message's term weight (0..1) a passage must match to be used for an answer; "
       "below it the dialog moves on to the LLM or its fallback.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.knowledge.answer_threshold = ToDouble(v); },
       Fraction(1),
       "a number from 0 to 1"});
  add({"knowledge",
       "max_document_bytes",
       K::kSize,
       "10MiB",
       "Largest document accepted (upload or file); larger gets 413. Uploads are also bounded by "
       "`server.max_body_bytes`.",
       1,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.knowledge.max_document_bytes = v.number; }});
  add({"knowledge",
       "max_query_chars",
       K::kInt,
       "1000",
       "Longest search query in characters; longer gets 400.",
       1,
       100000,
       {},
       [](Config& c, const Value& v) { c.knowledge.max_query_chars = v.number; }});
  add({"knowledge",
       "embedding_model",
       K::kString,
       "",
       "Id of an embedding model (`embeddings: true`) for hybrid retrieval; empty: lexical "
       "(BM25) only. A build whose engine has no embedding models refuses to start with it set.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.knowledge.embedding_model = v.text; }});
  add({"knowledge",
       "workers",
       K::kInt,
       "2",
       "Threads running ingestion and searches for the API, off the I/O threads.",
       1,
       64,
       {},
       [](Config& c, const Value& v) { c.knowledge.workers = v.number; }});
}

}  // namespace parley::config
