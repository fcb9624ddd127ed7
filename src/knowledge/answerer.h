// The knowledge base as the dialog policy's knowledge hook (dialog::KnowledgeSource): a FAQ
// question matching above its threshold answers with its answer; otherwise the relevant chunks
// go to the LLM as numbered reference data, and the reply cites them as [1], [2]; with no LLM
// (or when it fails) the best passage is the answer, cited. Below the relevance bar it answers
// nothing and the policy moves on to the LLM or the fallback.
// Ownership: borrows the knowledge base and the LLM (may be null); both must outlive it.
// Thread-safe; Answer() blocks (retrieval, generation) and runs on a dialog worker.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "dialog/knowledge_hook.h"
#include "engine/llm.h"
#include "knowledge/knowledge_base.h"

namespace parley::knowledge {

struct AnswerOptions {
  double faq_threshold = 0.6;      // Overlap() of the message and a FAQ question
  double answer_threshold = 0.35;  // share of the query's term weight a passage must match
  size_t context_chunks = 3;       // passages given to the LLM
  int max_tokens = 256;
  std::chrono::milliseconds llm_timeout = std::chrono::minutes(2);
  size_t snippet_chars = 120;  // per citation
  size_t extract_chars = 400;  // longest extractive answer
};

class KbAnswerer : public dialog::KnowledgeSource {
 public:
  KbAnswerer(KnowledgeBase* kb, engine::Llm* llm, AnswerOptions options);
  std::optional<dialog::KnowledgeAnswer> Answer(const dialog::KnowledgeQuery& query) override;

 private:
  std::optional<std::string> Generate(const dialog::KnowledgeQuery& query,
                                      const std::vector<Hit>& hits);

  KnowledgeBase* kb_;
  engine::Llm* llm_;
  AnswerOptions options_;
};

// The chat messages the LLM gets: instructions that passages are data, the numbered passages,
// recent turns and the question.
std::vector<engine::ChatMessage> BuildAnswerPrompt(const dialog::KnowledgeQuery& query,
                                                   const std::vector<Hit>& hits);

// The first `max_chars` characters of text, cut at a sentence end when there is one.
std::string Excerpt(std::string_view text, size_t max_chars);

}  // namespace parley::knowledge
