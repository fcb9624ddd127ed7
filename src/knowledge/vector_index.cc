#include "knowledge/vector_index.h"

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace parley::knowledge {

VectorIndex::VectorIndex(int dim, size_t capacity)
    : dim_(dim),
      space_(std::make_unique<hnswlib::InnerProductSpace>(dim)),
      index_(
          std::make_unique<hnswlib::HierarchicalNSW<float>>(space_.get(), capacity, 16, 200, 100)) {
  index_->setEf(64);
}

VectorIndex::~VectorIndex() = default;

size_t VectorIndex::size() const { return index_->cur_element_count - index_->num_deleted_; }

void VectorIndex::Normalize(std::vector<float>* v) {
  double n = 0;
  for (float x : *v) n += static_cast<double>(x) * x;
  n = std::sqrt(n);
  if (n > 0) {
    for (float& x : *v) x = static_cast<float>(x / n);
  }
}

Status VectorIndex::Add(int64_t id, std::vector<float> v) {
  if (static_cast<int>(v.size()) != dim_) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "embedding has " + std::to_string(v.size()) + " dimensions, the index " +
                         std::to_string(dim_),
                     "embedding_dimension");
  }
  Normalize(&v);
  try {
    const auto label = static_cast<hnswlib::labeltype>(id);
    if (!index_->label_lookup_.count(label) && index_->cur_element_count >= index_->max_elements_) {
      index_->resizeIndex(index_->max_elements_ * 2);
    }
    index_->addPoint(v.data(), label);  // an existing label is updated (and undeleted)
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInternal, std::string("vector index: ") + e.what());
  }
  return Status::Ok();
}

void VectorIndex::Remove(int64_t id) {
  try {
    index_->markDelete(static_cast<hnswlib::labeltype>(id));
  } catch (const std::exception&) {
    // not in the index (never embedded, or already removed)
  }
}

bool VectorIndex::Contains(int64_t id) const {
  auto it = index_->label_lookup_.find(static_cast<hnswlib::labeltype>(id));
  return it != index_->label_lookup_.end() && !index_->isMarkedDeleted(it->second);
}

std::vector<std::pair<int64_t, float>> VectorIndex::Search(std::vector<float> q, size_t k) const {
  std::vector<std::pair<int64_t, float>> out;
  if (static_cast<int>(q.size()) != dim_ || size() == 0 || k == 0) return out;
  Normalize(&q);
  auto result = index_->searchKnn(q.data(), std::min(k, size()));
  while (!result.empty()) {
    // hnswlib's inner-product distance is 1 - dot.
    out.emplace_back(static_cast<int64_t>(result.top().second), 1.0f - result.top().first);
    result.pop();
  }
  std::reverse(out.begin(), out.end());
  return out;
}

Status VectorIndex::Save(const std::string& path) const {
  const std::string tmp = path + ".tmp";
  try {
    index_->saveIndex(tmp);
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInternal, "cannot write vector index " + tmp + ": " + e.what());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return MakeError(ErrorCode::kInternal, "cannot rename " + tmp + ": " + ec.message());
  return Status::Ok();
}

Result<std::unique_ptr<VectorIndex>> VectorIndex::Load(const std::string& path, int dim) {
  if (!std::filesystem::exists(path)) {
    return MakeError(ErrorCode::kNotFound, "no vector index at " + path);
  }
  auto v = std::make_unique<VectorIndex>(dim, 1);
  try {
    v->index_ = std::make_unique<hnswlib::HierarchicalNSW<float>>(v->space_.get(), path, false);
    v->index_->setEf(64);
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInternal, "cannot read vector index " + path + ": " + e.what());
  }
  if (v->index_->data_size_ != dim * sizeof(float)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "vector index " + path + " has another dimension");
  }
  return v;
}

}  // namespace parley::knowledge
