#include "knowledge/bm25_index.h"

#include <algorithm>
#include <cmath>

namespace parley::knowledge {
namespace {
constexpr double kK1 = 1.2;
constexpr double kB = 0.75;
}  // namespace

void Bm25Index::Add(int64_t id, const std::vector<std::string>& terms) {
  Remove(id);
  std::unordered_map<std::string, uint32_t> tf;
  for (const auto& t : terms) ++tf[t];
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
    slot_ids_[slot] = id;
  } else {
    slot = static_cast<uint32_t>(slot_ids_.size());
    slot_ids_.push_back(id);
  }
  DocEntry entry{slot, static_cast<uint32_t>(terms.size()), {}};
  entry.terms.reserve(tf.size());
  for (auto& [term, n] : tf) {
    TermEntry& t = terms_[term];
    t.postings.push_back({slot, n, entry.length});
    ++t.df;
    entry.terms.push_back(term);
  }
  total_postings_ += tf.size();
  total_length_ += entry.length;
  docs_.emplace(id, std::move(entry));
}

void Bm25Index::Remove(int64_t id) {
  auto it = docs_.find(id);
  if (it == docs_.end()) return;
  for (const auto& term : it->second.terms) {
    auto t = terms_.find(term);
    if (t != terms_.end()) --t->second.df;
  }
  dead_postings_ += it->second.terms.size();
  total_length_ -= it->second.length;
  slot_ids_[it->second.slot] = -1;
  dead_slots_.push_back(it->second.slot);
  docs_.erase(it);
  if (dead_postings_ * 2 >= total_postings_) Compact();
}

void Bm25Index::Compact() {
  for (auto it = terms_.begin(); it != terms_.end();) {
    auto& v = it->second.postings;
    v.erase(std::remove_if(v.begin(), v.end(),
                           [this](const Posting& p) { return slot_ids_[p.slot] < 0; }),
            v.end());
    it = v.empty() ? terms_.erase(it) : std::next(it);
  }
  total_postings_ -= dead_postings_;
  dead_postings_ = 0;
  free_slots_.insert(free_slots_.end(), dead_slots_.begin(), dead_slots_.end());
  dead_slots_.clear();
}

double Bm25Index::Idf(const std::string& term) const {
  auto t = terms_.find(term);
  const double n = t == terms_.end() ? 0 : static_cast<double>(t->second.df);
  const double total = static_cast<double>(docs_.size());
  return std::log(1.0 + (total - n + 0.5) / (n + 0.5));
}

std::vector<ScoredId> Bm25Index::Search(const std::vector<std::string>& query, size_t k) const {
  std::vector<ScoredId> out;
  if (docs_.empty() || query.empty() || k == 0) return out;
  std::unordered_map<std::string, int> qtf;
  for (const auto& t : query) ++qtf[t];
  const double avg = static_cast<double>(total_length_) / static_cast<double>(docs_.size());
  double weight_total = 0;
  // Per-thread scratch: score and matched weight per slot, and the slots touched.
  thread_local std::vector<double> score, matched;
  thread_local std::vector<uint32_t> touched;
  if (score.size() < slot_ids_.size()) {
    score.resize(slot_ids_.size(), 0);
    matched.resize(slot_ids_.size(), 0);
  }
  touched.clear();
  const double total = static_cast<double>(docs_.size());
  const double rarest = std::log(1.0 + (total - 1 + 0.5) / 1.5);  // idf of a term in one chunk
  for (const auto& [term, n] : qtf) {
    const double idf = Idf(term);
    auto t = terms_.find(term);
    const bool absent = t == terms_.end() || t->second.df == 0;
    // A term no chunk has weighs as much as the rarest one that exists, so coverage does not
    // collapse on words the corpus never uses ("how long", "多久").
    weight_total += (absent ? rarest : idf) * n;
    if (absent) continue;
    const double w = n * idf * (kK1 + 1);
    const double norm_a = kK1 * (1 - kB), norm_b = kK1 * kB / avg;
    for (const Posting& post : t->second.postings) {
      if (slot_ids_[post.slot] < 0) continue;  // removed, not compacted yet
      const double tf = post.tf;
      if (score[post.slot] == 0 && matched[post.slot] == 0) touched.push_back(post.slot);
      score[post.slot] += w * tf / (tf + norm_a + norm_b * post.length);
      matched[post.slot] += idf * n;
    }
  }
  out.reserve(touched.size());
  for (uint32_t slot : touched) {
    out.push_back(
        {slot_ids_[slot], score[slot], weight_total > 0 ? matched[slot] / weight_total : 0});
    score[slot] = 0;
    matched[slot] = 0;
  }
  auto better = [](const ScoredId& x, const ScoredId& y) {
    return x.score != y.score ? x.score > y.score : x.id < y.id;
  };
  if (out.size() > k) {
    std::partial_sort(out.begin(), out.begin() + static_cast<long>(k), out.end(), better);
    out.resize(k);
  } else {
    std::sort(out.begin(), out.end(), better);
  }
  return out;
}

}  // namespace parley::knowledge
