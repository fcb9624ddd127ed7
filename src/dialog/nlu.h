// The NLU pipeline of one message: normalise, classify the intent, extract entities and tag
// sentiment. Built once from a Flow; Analyze() is const and thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "dialog/entities.h"
#include "dialog/flow.h"
#include "dialog/intent_classifier.h"
#include "nlp/normalizer.h"
#include "nlp/sentiment.h"
#include "util/result.h"

namespace parley::dialog {

struct NluResult {
  std::string folded;      // NFKC + case fold + simplified
  std::string normalized;  // folded without punctuation/emoji: what patterns match against
  Classification intent;
  std::vector<Entity> entities;
  nlp::Sentiment sentiment;
};

class Nlu {
 public:
  // `embedder` (optional) adds embedding similarity to intent scores with `embedding_weight`.
  static Result<std::shared_ptr<const Nlu>> Create(const Flow& flow,
                                                   std::shared_ptr<const nlp::Normalizer> n,
                                                   std::shared_ptr<Embedder> embedder = nullptr,
                                                   double embedding_weight = 0.4);
  // `evidence` (optional): set to the evidence for the top intent (IntentClassifier::Classify).
  NluResult Analyze(std::string_view message, std::chrono::sys_days today,
                    IntentClassifier::Evidence* evidence = nullptr) const;
  const IntentClassifier& classifier() const { return classifier_; }
  // Analyze() asks an embedding model (a blocking call): keep it off I/O threads.
  bool embeds() const { return classifier_.has_embedder(); }
  IntentClassifier& mutable_classifier() { return classifier_; }  // before sharing only
  // The flow's intents extended from the intent library: (intent, library intent, patterns that
  // chose it; 0 when the flow named it, a second library intent or "").
  struct LibraryLink {
    std::string intent, library;
    int votes = 0;
    std::string second;
  };
  const std::vector<LibraryLink>& library_links() const { return library_links_; }
  // "refund <- refund_status, change_order <- modify_order + change_address"; "" when none (for
  // logs and `parley eval`).
  std::string LibraryLinksText() const;

 private:
  Nlu(std::shared_ptr<const nlp::Normalizer> n, IntentClassifier c,
      std::shared_ptr<const EntityExtractor> e)
      : normalizer_(std::move(n)), classifier_(std::move(c)), entities_(std::move(e)) {}

  std::shared_ptr<const nlp::Normalizer> normalizer_;
  IntentClassifier classifier_;
  std::shared_ptr<const EntityExtractor> entities_;
  std::vector<LibraryLink> library_links_;
};

}  // namespace parley::dialog
