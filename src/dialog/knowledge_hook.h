// The knowledge-base hook of the policy: asked for an answer when no intent is confident,
// before the LLM. The knowledge layer implements it; until then the assistant has none.
// Implementations must be thread-safe; Answer() may block (it runs on a dialog worker).
#pragma once

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

struct KnowledgeAnswer {
  std::string text;
  std::vector<std::string> citations;  // document ids or titles
  double confidence = 0;
};

class KnowledgeSource {
 public:
  virtual ~KnowledgeSource() = default;
  virtual std::optional<KnowledgeAnswer> Answer(const KnowledgeQuery& query) = 0;
};

}  // namespace parley::dialog
