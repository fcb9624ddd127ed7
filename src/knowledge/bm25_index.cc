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
  DocEntry entry{static_cast<uint32_t>(terms.size()), {}};
  entry.terms.reserve(tf.size());
  for (auto& [term, n] : tf) {
    postings_[term].push_back({id, n, entry.length});
    entry.terms.push_back(term);
  }
  total_length_ += entry.length;
  docs_.emplace(id, std::move(entry));
}

void Bm25Index::Remove(int64_t id) {
  auto it = docs_.find(id);
  if (it == docs_.end()) return;
  for (const auto& term : it->second.terms) {
    auto p = postings_.find(term);
    if (p == postings_.end()) continue;
    auto& v = p->second;
    v.erase(std::remove_if(v.begin(), v.end(), [id](const Posting& x) { return x.id == id; }),
            v.end());
    if (v.empty()) postings_.erase(p);
  }
  total_length_ -= it->second.length;
  docs_.erase(it);
}

double Bm25Index::Idf(const std::string& term) const {
  auto p = postings_.find(term);
  const double n = p == postings_.end() ? 0 : static_cast<double>(p->second.size());
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
  std::unordered_map<int64_t, std::pair<double, double>> acc;  // id -> score, matched weight
  const double total = static_cast<double>(docs_.size());
  const double rarest = std::log(1.0 + (total - 1 + 0.5) / 1.5);  // idf of a term in one chunk
  for (const auto& [term, n] : qtf) {
    const double idf = Idf(term);
    auto p = postings_.find(term);
    // A term no chunk has weighs as much as the rarest one that exists, so coverage does not
    // collapse on words the corpus never uses ("how long", "多久").
    weight_total += (p == postings_.end() ? rarest : idf) * n;
    if (p == postings_.end()) continue;
    acc.reserve(acc.size() + p->second.size());
    for (const Posting& post : p->second) {
      const double len = post.length;
      const double tf = post.tf;
      auto& a = acc[post.id];
      a.first += n * idf * tf * (kK1 + 1) / (tf + kK1 * (1 - kB + kB * len / avg));
      a.second += idf * n;
    }
  }
  out.reserve(acc.size());
  for (const auto& [id, a] : acc) {
    out.push_back({id, a.first, weight_total > 0 ? a.second / weight_total : 0});
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
