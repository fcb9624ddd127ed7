// Approximate nearest neighbours over chunk embeddings: an hnswlib HNSW graph on inner product
// of L2-normalised vectors (cosine similarity), labelled by chunk id. Persisted to one file,
// written to a temporary name and renamed, so a crash never leaves a half-written index; the
// vectors themselves live in the knowledge store, from which a missing or stale file is rebuilt.
// Not thread-safe: the KnowledgeBase guards it with its reader/writer lock.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "util/result.h"

namespace hnswlib {
template <typename T>
class HierarchicalNSW;
class InnerProductSpace;
}  // namespace hnswlib

namespace parley::knowledge {

class VectorIndex {
 public:
  explicit VectorIndex(int dim, size_t capacity = 1024);
  ~VectorIndex();

  int dim() const { return dim_; }
  size_t size() const;
  Status Add(int64_t id, std::vector<float> v);  // replaces an existing vector of id
  void Remove(int64_t id);
  bool Contains(int64_t id) const;
  // The k nearest chunk ids with cosine similarity, best first.
  std::vector<std::pair<int64_t, float>> Search(std::vector<float> query, size_t k) const;

  Status Save(const std::string& path) const;
  // Nullptr-free: an error when the file is missing, unreadable or of another dimension.
  static Result<std::unique_ptr<VectorIndex>> Load(const std::string& path, int dim);

  static void Normalize(std::vector<float>* v);

 private:
  int dim_;
  std::unique_ptr<hnswlib::InnerProductSpace> space_;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> index_;
};

}  // namespace parley::knowledge
