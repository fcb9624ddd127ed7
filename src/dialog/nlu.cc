#include "dialog/nlu.h"

namespace parley::dialog {

Result<std::shared_ptr<const Nlu>> Nlu::Create(const Flow& flow,
                                               std::shared_ptr<const nlp::Normalizer> n,
                                               std::shared_ptr<Embedder> embedder,
                                               double embedding_weight) {
  auto entities = EntityExtractor::Build(flow.entities, *n);
  if (!entities.ok()) return entities.error();
  IntentClassifier classifier(n, flow.threshold, flow.margin);
  classifier.SetEmbedder(std::move(embedder), embedding_weight);
  classifier.Train(flow.intents);
  return std::shared_ptr<const Nlu>(new Nlu(std::move(n), std::move(classifier), *entities));
}

NluResult Nlu::Analyze(std::string_view message, std::chrono::sys_days today) const {
  NluResult r;
  r.folded = normalizer_->Fold(message);
  r.normalized = nlp::Normalizer::StripSymbols(r.folded);
  r.intent = classifier_.Classify(r.normalized);
  r.entities = entities_->Extract(r.folded, today);
  r.sentiment = nlp::AnalyzeSentiment(r.folded);
  return r;
}

}  // namespace parley::dialog
