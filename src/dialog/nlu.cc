#include "dialog/nlu.h"

#include "dialog/intent_library.h"

namespace parley::dialog {

Result<std::shared_ptr<const Nlu>> Nlu::Create(const Flow& flow,
                                               std::shared_ptr<const nlp::Normalizer> n,
                                               std::shared_ptr<Embedder> embedder,
                                               double embedding_weight) {
  auto entities = EntityExtractor::Build(flow.entities, *n);
  if (!entities.ok()) return entities.error();
  IntentClassifier classifier(n, flow.threshold, flow.margin);
  classifier.SetEmbedder(std::move(embedder), embedding_weight);
  classifier.set_other_domains(flow.other_domains);
  classifier.set_models(flow.intent_models ? IntentClassifier::Models::kBoth
                                           : IntentClassifier::Models::kNone);
  std::vector<LibraryMatch> matches;
  if (flow.intent_library) matches = MatchLibrary(flow.intents, n, flow.intent_models);
  classifier.Train(flow.intents, BorrowedMessages(matches));
  auto nlu = std::shared_ptr<Nlu>(new Nlu(std::move(n), std::move(classifier), *entities));
  for (size_t i = 0; i < matches.size(); ++i) {
    if (matches[i].library < 0) continue;
    const int second = matches[i].second;
    nlu->library_links_.push_back({flow.intents[i].name, IntentLibrary()[matches[i].library].id,
                                   matches[i].votes,
                                   second >= 0 ? IntentLibrary()[second].id : ""});
  }
  return std::shared_ptr<const Nlu>(std::move(nlu));
}

std::string Nlu::LibraryLinksText() const {
  std::string out;
  for (const auto& l : library_links_) {
    out += (out.empty() ? "" : ", ") + l.intent + " <- " + l.library;
    if (!l.second.empty()) out += " + " + l.second;
  }
  return out;
}

NluResult Nlu::Analyze(std::string_view message, std::chrono::sys_days today,
                       IntentClassifier::Evidence* evidence) const {
  NluResult r;
  r.folded = normalizer_->Fold(message);
  r.normalized = nlp::Normalizer::StripSymbols(r.folded);
  r.intent = classifier_.Classify(r.normalized, evidence);
  r.entities = entities_->Extract(r.folded, today);
  r.sentiment = nlp::AnalyzeSentiment(r.folded);
  return r;
}

}  // namespace parley::dialog
