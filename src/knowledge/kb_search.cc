// KnowledgeBase::Search and the query-side helpers (the rest is in knowledge_base.cc).

#include <algorithm>
#include <set>
#include <unordered_map>

#include "knowledge/knowledge_base.h"
#include "knowledge/terms.h"
#include "util/text.h"

namespace parley::knowledge {
namespace {

constexpr double kRrfK = 60;  // the usual reciprocal-rank-fusion constant

}  // namespace

Status KnowledgeBase::CheckQuery(std::string_view q) const {
  auto bad = [](std::string msg, std::string reason) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(msg), std::move(reason), "q");
  };
  if (!text::IsValidUtf8(q)) return bad("the query is not valid UTF-8", "invalid_utf8");
  if (text::Trim(q).empty()) return bad("the query is empty", "empty_query");
  if (q.find('\0') != std::string_view::npos) return bad("the query contains NUL", "invalid_query");
  // Checked on bytes first so a huge query is refused without scanning it.
  if (static_cast<int64_t>(q.size()) > options_.max_query_chars * 4 ||
      static_cast<int64_t>(text::CountCodePoints(q)) > options_.max_query_chars) {
    return bad(
        "the query is longer than " + std::to_string(options_.max_query_chars) + " characters",
        "query_too_long");
  }
  return Status::Ok();
}

Result<std::vector<Hit>> KnowledgeBase::Search(std::string_view query, size_t k) {
  if (Status s = CheckQuery(query); !s.ok()) return s.error();
  if (k == 0) k = options_.top_k;
  const std::vector<std::string> terms = IndexTerms(*normalizer_, query);
  if (terms.empty()) return std::vector<Hit>{};  // punctuation or symbols only: nothing to match
  const size_t pool = std::max<size_t>(k * 4, 32);
  std::vector<float> qv;
  if (options_.embedder) {
    auto v = options_.embedder->Embed(query);
    if (v.ok()) qv = std::move(*v);  // a failed embedding degrades to lexical retrieval
  }
  std::vector<ScoredId> lexical;
  std::vector<std::pair<int64_t, float>> semantic;
  {
    std::shared_lock lock(index_mu_);
    lexical = bm25_.Search(terms, pool);
    if (vectors_ && !qv.empty()) semantic = vectors_->Search(qv, pool);
  }
  std::vector<Hit> hits;
  if (semantic.empty()) {
    for (const auto& s : lexical) {
      if (hits.size() >= k) break;
      if (s.score < options_.score_threshold) break;
      Hit h;
      h.chunk_id = s.id;
      h.score = s.score;
      h.coverage = s.coverage;
      hits.push_back(std::move(h));
    }
  } else {
    std::unordered_map<int64_t, Hit> fused;
    for (size_t r = 0; r < lexical.size(); ++r) {
      Hit& h = fused[lexical[r].id];
      h.chunk_id = lexical[r].id;
      h.score += 1.0 / (kRrfK + static_cast<double>(r + 1));
      h.coverage = lexical[r].coverage;
    }
    for (size_t r = 0; r < semantic.size(); ++r) {
      Hit& h = fused[semantic[r].first];
      h.chunk_id = semantic[r].first;
      h.score += 1.0 / (kRrfK + static_cast<double>(r + 1));
      h.similarity = semantic[r].second;
    }
    for (auto& [id, h] : fused) {
      if (h.score >= options_.score_threshold) hits.push_back(std::move(h));
    }
    std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
      return a.score != b.score ? a.score > b.score : a.chunk_id < b.chunk_id;
    });
    if (hits.size() > k) hits.resize(k);
  }
  if (Status s = store_->FillHits(&hits); !s.ok()) return s.error();
  hits.erase(std::remove_if(hits.begin(), hits.end(), [](const Hit& h) { return h.doc_id == 0; }),
             hits.end());
  return hits;
}

double KnowledgeBase::Overlap(std::string_view a, std::string_view b) const {
  const auto ta = IndexTerms(*normalizer_, a), tb = IndexTerms(*normalizer_, b);
  const std::set<std::string> sa(ta.begin(), ta.end()), sb(tb.begin(), tb.end());
  double wa = 0, wb = 0, common = 0;
  std::shared_lock lock(index_mu_);
  for (const auto& t : sa) {
    const double w = bm25_.Idf(t);
    wa += w;
    if (sb.count(t)) common += w;
  }
  for (const auto& t : sb) wb += bm25_.Idf(t);
  return wa + wb > 0 ? 2 * common / (wa + wb) : 0;
}

}  // namespace parley::knowledge
