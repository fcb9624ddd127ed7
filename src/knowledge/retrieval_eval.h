// Retrieval evaluation for `parley eval retrieval`: for labelled questions ({q, doc}), the rank
// of the expected document among the distinct documents of the hits, recall@1/3/5 and mean
// reciprocal rank (over the first 10 documents). Runs searches on the calling thread.
#pragma once

#include <string>
#include <vector>

#include "knowledge/knowledge_base.h"

namespace parley::knowledge {

struct RetrievalCase {
  std::string query;
  std::string doc;  // expected document: file name (with or without folder/extension) or title
};

struct RetrievalReport {
  size_t questions = 0;
  double recall_at_1 = 0, recall_at_3 = 0, recall_at_5 = 0, mrr = 0;
  struct Miss {
    RetrievalCase c;
    int rank = 0;  // 0: not in the first 10 documents
    std::string top;
  };
  std::vector<Miss> misses;  // rank > 3 or not found
  double mean_ms = 0;
};

// Whether a hit is the expected document: its file name, the name without its extension, a
// path ending in it ("policies/returns.md"), or its title.
bool MatchesExpected(const Hit& hit, std::string_view expected);

RetrievalReport EvaluateRetrieval(KnowledgeBase& kb, const std::vector<RetrievalCase>& cases);
std::string FormatRetrievalReport(const RetrievalReport& report);

}  // namespace parley::knowledge
