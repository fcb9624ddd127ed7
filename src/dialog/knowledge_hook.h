// The knowledge-base hook of the policy: asked for an answer when no intent is confident,
// before the LLM. The knowledge layer implements it; until then the assistant has none.
// Implementations must be thread-safe; Answer() may block (it runs on a dialog worker).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/llm.h"

namespace parley::dialog {

struct KnowledgeQuery {
  std::string message;
  std::string normalized;
  std::vector<engine::ChatMessage> recent;  // conversation so far, newest last
};

// Where a knowledge answer came from: one retrieved chunk, numbered [1], [2]... in the text.
struct Citation {
  int64_t doc = 0;   // knowledge-base document id
  std::string name;  // document file name
  std::string title;
  int chunk = 0;     // chunk index within the document
  double score = 0;  // retrieval score
  std::string snippet;
};

struct KnowledgeAnswer {
  std::string text;
  std::vector<Citation> citations;
  double confidence = 0;
};

class KnowledgeSource {
 public:
  virtual ~KnowledgeSource() = default;
  virtual std::optional<KnowledgeAnswer> Answer(const KnowledgeQuery& query) = 0;
};

}  // namespace parley::dialog
