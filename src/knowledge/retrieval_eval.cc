#include "knowledge/retrieval_eval.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace parley::knowledge {

namespace {

std::string_view Base(std::string_view path) {
  const size_t slash = path.find_last_of("/\\");
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view Stem(std::string_view name) {
  const size_t dot = name.rfind('.');
  return dot == std::string_view::npos || dot == 0 ? name : name.substr(0, dot);
}

}  // namespace

bool MatchesExpected(const Hit& hit, std::string_view expected) {
  const std::string_view base = Base(expected);
  return hit.doc_name == base || Stem(hit.doc_name) == base || hit.title == expected;
}

RetrievalReport EvaluateRetrieval(KnowledgeBase& kb, const std::vector<RetrievalCase>& cases) {
  RetrievalReport r;
  double total_ms = 0;
  for (const auto& c : cases) {
    const auto start = std::chrono::steady_clock::now();
    auto hits = kb.Search(c.query, 30);
    total_ms +=
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::vector<std::string> docs;  // distinct, in rank order
    int rank = 0;
    if (hits.ok()) {
      for (const auto& h : *hits) {
        if (std::find(docs.begin(), docs.end(), h.doc_name) != docs.end()) continue;
        docs.push_back(h.doc_name);
        if (!rank && docs.size() <= 10 && MatchesExpected(h, c.doc)) {
          rank = static_cast<int>(docs.size());
        }
      }
    }
    ++r.questions;
    if (rank >= 1) r.mrr += 1.0 / rank;
    if (rank == 1) r.recall_at_1 += 1;
    if (rank >= 1 && rank <= 3) r.recall_at_3 += 1;
    if (rank >= 1 && rank <= 5) r.recall_at_5 += 1;
    if (rank == 0 || rank > 3) r.misses.push_back({c, rank, docs.empty() ? "" : docs[0]});
  }
  if (r.questions) {
    const double n = static_cast<double>(r.questions);
    r.recall_at_1 /= n;
    r.recall_at_3 /= n;
    r.recall_at_5 /= n;
    r.mrr /= n;
    r.mean_ms = total_ms / n;
  }
  return r;
}

std::string FormatRetrievalReport(const RetrievalReport& r) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "questions: %zu\nrecall@1: %.3f\nrecall@3: %.3f\nrecall@5: %.3f\nMRR: %.3f\n"
                "mean query time: %.2f ms\n",
                r.questions, r.recall_at_1, r.recall_at_3, r.recall_at_5, r.mrr, r.mean_ms);
  std::string out = buf;
  if (!r.misses.empty()) out += "missed (expected doc not in the top 3):\n";
  for (const auto& m : r.misses) {
    out += "  " + (m.rank ? "rank " + std::to_string(m.rank) : std::string("not found")) + "  " +
           m.c.query + "  -> expected " + m.c.doc + ", top " + m.top + "\n";
  }
  return out;
}

}  // namespace parley::knowledge
