// An in-memory BM25 inverted index over chunk ids (Okapi BM25, k1 = 1.2, b = 0.75). Its
// persistent form is each chunk's term list in the knowledge store, from which it is rebuilt at
// start-up without re-tokenising; documents are added and removed incrementally. Removal marks
// the chunk's slot dead (searches skip it, document frequencies drop at once); posting lists
// are compacted when dead entries reach half of them, so removal never scans long lists.
// Not thread-safe: the KnowledgeBase guards it with its reader/writer lock.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace parley::knowledge {

struct ScoredId {
  int64_t id = 0;
  double score = 0;
  double coverage = 0;  // matched share of the query's IDF weight
};

class Bm25Index {
 public:
  void Add(int64_t id, const std::vector<std::string>& terms);
  void Remove(int64_t id);
  bool Contains(int64_t id) const { return docs_.count(id) > 0; }
  size_t size() const { return docs_.size(); }

  // The best `k` chunks for the query terms (repeats count), best first; ties by id.
  std::vector<ScoredId> Search(const std::vector<std::string>& query, size_t k) const;
  double Idf(const std::string& term) const;

 private:
  // Chunks live in dense slots so a search accumulates scores in flat arrays, not hash maps.
  struct Posting {
    uint32_t slot;
    uint32_t tf;
    uint32_t length;  // of the chunk, copied here so scoring touches one array
  };
  struct DocEntry {
    uint32_t slot;
    uint32_t length;
    std::vector<std::string> terms;  // distinct, to unlink on removal
  };
  struct TermEntry {
    std::vector<Posting> postings;  // may include dead slots until Compact()
    uint32_t df = 0;                // live chunks with the term
  };
  void Compact();

  std::unordered_map<std::string, TermEntry> terms_;
  std::unordered_map<int64_t, DocEntry> docs_;
  std::vector<int64_t> slot_ids_;     // slot -> chunk id (-1: dead or free)
  std::vector<uint32_t> free_slots_;  // dead slots whose postings are gone, reusable
  std::vector<uint32_t> dead_slots_;  // dead slots still referenced by postings
  uint64_t total_postings_ = 0, dead_postings_ = 0;
  uint64_t total_length_ = 0;
};

}  // namespace parley::knowledge
